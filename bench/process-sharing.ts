// Process manager: how the listening socket is shared among children.
// With 2 children each, in the same run:
//   - workerman-ts under SCHED_RR (the master accepts and hands connections round robin)
//   - workerman-ts under SCHED_NONE (children accept from the shared socket; the kernel picks)
//   - a plain node:cluster server (round robin) with a hand-written echo, the peer
// measures the accept rate (new short connections per second: connect, one
// line, reply, close) and echo throughput (64 connections, request/response),
// each per second and per server CPU-second (master + children, from /proc).
// Then the time a full reload of 8 children takes, plain and graceful.
//
//   flock /tmp/workerman-bench.lock node --import tsx bench/process-sharing.ts [seconds]
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { askMaster } from '../src/process/control-client.js';
import { isAlive } from '../src/process/pid-file.js';
import type { StatusReport } from '../src/process/status.js';
import { freePort } from '../test/helpers/start-file.js';
import { cpuSeconds } from './lib/processes.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.argv[2] ?? 4);
const pidFile = join(tmpdir(), `workerman-bench-managed-${process.pid}.pid`);
const controlSocket = pidFile.replace(/\.pid$/, '.sock');

interface Server {
  port: number;
  pids: number[];
  stop(): Promise<void>;
}

function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', here('./servers/managed-echo.ts'), ...args],
      { env: { ...process.env, PIDFILE: pidFile, ...env } },
      (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
    );
  });
}

async function startManaged(policy: 'rr' | 'none', count: number): Promise<Server> {
  const port = await freePort();
  await run(['start', '-d', '-q'], {
    PORT: String(port),
    COUNT: String(count),
    NODE_CLUSTER_SCHED_POLICY: policy,
  });
  const { status } = (await askMaster(controlSocket, { cmd: 'status' })) as {
    status: StatusReport;
  };
  return {
    port,
    pids: [status.masterPid, ...status.children.map((c) => c.pid)],
    async stop() {
      await askMaster(controlSocket, { cmd: 'stop', graceful: false });
      while (isAlive(status.masterPid)) await new Promise((resolve) => setTimeout(resolve, 20));
      rmSync(pidFile.replace(/\.pid$/, '.log'), { force: true });
    },
  };
}

async function startPlain(): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = fork(here('./servers/plain-cluster-echo.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: String(port), COUNT: '2' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await once(child, 'message')) as [{ pids: number[] }];
  return {
    port,
    pids: ready.pids,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      for (const pid of ready.pids.slice(1)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    },
  };
}

async function load(
  script: string,
  args: (string | number)[],
  pids: number[],
): Promise<{ [key: string]: number; cpu: number; seconds: number }> {
  const child = fork(here(script), args.map(String), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let cpuStart = 0;
  const result = await new Promise<{ [key: string]: number; seconds: number }>((resolve) => {
    child.on('message', (message: Record<string, number | string>) => {
      if (message.phase === 'measuring')
        cpuStart = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      else resolve(message as { [key: string]: number; seconds: number });
    });
  });
  const cpu = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuStart;
  await once(child, 'exit');
  return { ...result, cpu };
}

const rows: string[] = [];
const figures: Record<
  string,
  { accept: number; acceptCpu: number; echo: number; echoCpu: number }
> = {};
for (const [name, start] of [
  ['workerman-ts SCHED_RR', () => startManaged('rr', 2)],
  ['workerman-ts SCHED_NONE', () => startManaged('none', 2)],
  ['node:cluster (RR) by hand', startPlain],
] as const) {
  const server = await start();
  try {
    const accept = await load('./lib/accept-load.ts', [server.port, 32, seconds], server.pids);
    const echo = await load('./lib/echo-load.ts', [server.port, 64, 1, seconds, 32], server.pids);
    figures[name] = {
      accept: (accept.accepted ?? 0) / accept.seconds,
      acceptCpu: (accept.accepted ?? 0) / accept.cpu,
      echo: (echo.replies ?? 0) / echo.seconds,
      echoCpu: (echo.replies ?? 0) / echo.cpu,
    };
  } finally {
    await server.stop();
  }
}
const peer = figures['node:cluster (RR) by hand'];
rows.push(
  '| server (2 children) | accepts/s | accepts/CPU-s | echo msg/s | echo msg/CPU-s |',
  '|---|---|---|---|---|',
);
for (const [name, f] of Object.entries(figures)) {
  const ratio = (a: number, b: number | undefined) => (b ? ` (${(a / b).toFixed(2)}×)` : '');
  rows.push(
    `| ${name} | ${Math.round(f.accept)}${ratio(f.accept, peer?.accept)} | ${Math.round(f.acceptCpu)}${ratio(f.acceptCpu, peer?.acceptCpu)} | ${Math.round(f.echo)}${ratio(f.echo, peer?.echo)} | ${Math.round(f.echoCpu)}${ratio(f.echoCpu, peer?.echoCpu)} |`,
  );
}

// Full reload of 8 children (each a fresh Node process loading the start file through tsx).
const eight = await startManaged('rr', 8);
try {
  for (const graceful of [false, true]) {
    const started = performance.now();
    await askMaster(controlSocket, { cmd: 'reload', graceful });
    rows.push(
      `\nreload${graceful ? ' -g' : ''} of 8 children: ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
  }
} finally {
  await eight.stop();
}
process.stdout.write(`${rows.join('\n')}\n`);
