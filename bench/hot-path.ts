// Hot path: user and system CPU per message, ours against the Node peer, on
// four paths, each server in 2 node:cluster processes (the primary is counted
// too). CPU comes from /proc (utime / stime of every server process) and is
// divided by the messages answered while the load ran. With one message in
// flight per connection every server makes one `read` and one `write` system
// call per message, so the system column is the kernel's share, alike for
// all; the user column is the server's own work.
//
//   text       text:// echo, 32-byte lines, 64 connections    vs node:net framing by hand
//   websocket  WebSocket echo, 32-byte text, fresh masks, 64   vs ws (bufferutil)
//   http c64   HTTP hello, wrk -c64, a unique path per request vs node:http
//   http c256  the same with 256 connections
//
//   flock /tmp/workerman-bench.lock node --import tsx bench/hot-path.ts [seconds] [runs] [paths]
//
// paths: a comma-separated subset of text,websocket,http64,http256,floor,memory
// (default all); "memory" ends the run with bench/process-footprint.ts (the
// built package: RSS and PSS of each process tree idle and with 1,000
// connections, ours under its process manager against a plain node:cluster). Each path runs `runs` times (default 3), ours and the peer
// back to back, the order alternating; the table shows medians (and ranges).
// The "floor" row is the reference every path is bounded by: the text echo
// load against bench/servers/echo-floor.ts (ours) and a bare node:net echo
// of each chunk (peer): the least a Node server can do per message.
import { execFile, execFileSync, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startScript, stop, totalCpuTimes } from './lib/processes.js';
import { median, medianRange, pairRatios, ratio } from './lib/stats.js';

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.argv[2] ?? 10);
const runs = Number(process.argv[3] ?? 3);
const selected = new Set((process.argv[4] ?? 'text,websocket,http64,http256,floor').split(','));
const PROCESSES = '2';

interface Measured {
  messages: number;
  seconds: number;
  user: number;
  system: number;
}

interface Side {
  name: string;
  server: string;
  args: string[];
}

interface Path {
  key: string;
  label: string;
  ours: Side;
  peer: Side;
  load(port: number, pids: number[]): Promise<Measured>;
}

/** Runs a load generator that reports `{ phase: 'measuring' }`, then `{ replies, seconds }`. */
async function ipcLoad(script: string, args: string[], pids: number[]): Promise<Measured> {
  const load = fork(here(script), args, {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    let before = { user: 0, system: 0 };
    const result = await new Promise<{ replies: number; seconds: number }>((resolve, reject) => {
      load.on('message', (message: { phase?: string; replies?: number; seconds?: number }) => {
        if (message.phase === 'measuring') before = totalCpuTimes(pids);
        else resolve(message as { replies: number; seconds: number });
      });
      load.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    });
    const after = totalCpuTimes(pids);
    return {
      messages: result.replies,
      seconds: result.seconds,
      user: after.user - before.user,
      system: after.system - before.system,
    };
  } finally {
    await stop(load);
  }
}

async function wrkLoad(connections: number, port: number, pids: number[]): Promise<Measured> {
  const args = ['-t1', `-c${connections}`, '-s', here('./lib/wrk-varied.lua')];
  const url = `http://127.0.0.1:${port}/`;
  await run('wrk', [...args, '-d1s', url]); // warm-up (JIT), not measured
  const before = totalCpuTimes(pids);
  const { stdout } = await run('wrk', [...args, `-d${seconds}s`, url]);
  const after = totalCpuTimes(pids);
  const failures = /Non-2xx or 3xx responses: (\d+)|Socket errors: ([^\n]+)/.exec(stdout);
  if (failures) console.log(`  (wrk: ${failures[0]})`);
  return {
    messages: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
    seconds: Number(/requests in ([\d.]+)s/.exec(stdout)?.[1] ?? seconds),
    user: after.user - before.user,
    system: after.system - before.system,
  };
}

const httpPath = (connections: number): Path => ({
  key: `http${connections}`,
  label: `HTTP hello, wrk c${connections}, unique path per request`,
  ours: { name: 'workerman-ts', server: './servers/http-workerman.ts', args: [PROCESSES] },
  peer: { name: 'node:http', server: './servers/http-node.ts', args: [PROCESSES] },
  load: (port, pids) => wrkLoad(connections, port, pids),
});

const paths: Path[] = [
  {
    key: 'text',
    label: 'text echo 32 B (text://), 64 connections',
    ours: { name: 'workerman-ts', server: './servers/text-echo-workerman.ts', args: [PROCESSES] },
    peer: { name: 'node:net by hand', server: './servers/text-echo-net.ts', args: [PROCESSES] },
    load: (port, pids) =>
      ipcLoad('./lib/echo-load.ts', [port, 64, 1, seconds, 32].map(String), pids),
  },
  {
    key: 'websocket',
    label: 'WebSocket echo 32 B, fresh masks, 64 connections',
    ours: { name: 'workerman-ts', server: './servers/ws-workerman.ts', args: [PROCESSES] },
    peer: { name: 'ws', server: './servers/ws-ws.ts', args: [PROCESSES] },
    load: (port, pids) =>
      ipcLoad('./lib/ws-echo-load.ts', [port, 64, seconds, 32].map(String), pids),
  },
  httpPath(64),
  httpPath(256),
  {
    key: 'floor',
    label: 'floor: each read written back to the handle, no framing (32 B, 64 connections)',
    ours: { name: 'floor', server: './servers/echo-floor.ts', args: [PROCESSES] },
    peer: { name: 'node:net pipe-back', server: './servers/echo-net-raw.ts', args: [PROCESSES] },
    load: (port, pids) =>
      ipcLoad('./lib/echo-load.ts', [port, 64, 1, seconds, 32].map(String), pids),
  },
];

async function measure(path: Path, side: Side): Promise<Measured> {
  const { child, ready } = await startScript<{ port: number; pids: number[] }>(
    here(side.server),
    side.args,
  );
  try {
    return await path.load(ready.port, ready.pids);
  } finally {
    await stop(child);
  }
}

const us = (n: number) => n.toFixed(2);
const perMessage = (r: Measured, key: 'user' | 'system') => (r[key] / r.messages) * 1e6;

console.log(
  `Hot path: CPU µs per message (user / system), ${seconds} s per run, median of ${runs}, ` +
    `Node ${process.version}, ${PROCESSES} server processes each`,
);
const rows: string[] = [];
for (const path of paths) {
  if (!selected.has(path.key)) continue;
  const ours: Measured[] = [];
  const peer: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      ours.push(await measure(path, path.ours));
      peer.push(await measure(path, path.peer));
    } else {
      peer.push(await measure(path, path.peer));
      ours.push(await measure(path, path.ours));
    }
  }
  const column = (results: Measured[], key: 'user' | 'system') =>
    medianRange(
      results.map((r) => perMessage(r, key)),
      us,
    );
  const rate = (results: Measured[]) =>
    median(results.map((r) => r.messages / r.seconds)).toFixed(0);
  const total = (r: Measured) => (r.user + r.system) / r.messages;
  const perCpu = pairRatios(peer.map(total), ours.map(total));
  rows.push(
    `| ${path.label} | ${column(ours, 'user')} | ${column(ours, 'system')} | ` +
      `${path.peer.name} ${column(peer, 'user')} / ${column(peer, 'system')} | ` +
      `${rate(ours)} / ${rate(peer)} | ${ratio(median(perCpu))} |`,
  );
  console.log(rows[rows.length - 1]);
}
console.log(
  '\n| path | ours user µs | ours system µs | peer user / system µs | msg/s ours / peer | per server CPU-s ours / peer |',
);
console.log('|---|---:|---:|---|---:|---:|');
for (const row of rows) console.log(row);

if (selected.has('memory')) {
  if (!existsSync(here('../dist/index.js')))
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  console.log('');
  execFileSync(process.execPath, ['--import', 'tsx', here('./process-footprint.ts')], {
    stdio: 'inherit',
  });
}
