// WebSocket: our websocket:// worker against ws (with bufferutil), in one
// run, each server in 2 node:cluster processes (forked by the script itself,
// the same way for both). The load generators are separate processes with
// raw, prebuilt frames, sharing the two cores with the servers; so besides
// messages per second, the fair figure is messages per server CPU-second
// (all server processes, from /proc).
//
//   node --import tsx bench/websocket.ts [seconds] [idle counts, e.g. 10000,100000] [sections] [runs] [echo sizes] [echo connections]
//
// sections: a comma-separated subset of echo,broadcast,memory (default: all).
// Each echo case runs `runs` times (default 3), ours and ws back to back, the
// order alternating from run to run; figures are the median and the range
// over the runs, ratios taken run by run.
//
// Sections: echo throughput (64 and 1000 connections, 32 B and 4 KB text
// messages, one in flight per connection); broadcast of one message to
// 10 000 clients (one server process: a broadcast reaches the connections of
// the process it arrives in); resident memory (PSS, summed over the server's
// processes) per idle connection, from several loopback source addresses.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, startScript, stop } from './lib/processes.js';
import { count, median, medianRange, pairRatios, ratio } from './lib/stats.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.argv[2] ?? 5);
const idleCounts = (process.argv[3] ?? '10000').split(',').map(Number);
const sections = new Set((process.argv[4] ?? 'echo,broadcast,memory').split(','));
const runs = Number(process.argv[5] ?? 3);
const echoSizes = (process.argv[6] ?? '32,4096').split(',').map(Number);
const echoConnections = (process.argv[7] ?? '64,1000').split(',').map(Number);
const servers = {
  'workerman-ts': here('./servers/ws-workerman.ts'),
  'ws + bufferutil': here('./servers/ws-ws.ts'),
};
type ServerName = keyof typeof servers;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Started {
  child: ChildProcess;
  port: number;
  pids: number[];
}

async function startServer(name: ServerName, processes: number, mode = 'busy'): Promise<Started> {
  const { child, ready } = await startScript<{ port: number; pids: number[] }>(servers[name], [
    String(processes),
    mode,
  ]);
  return { child, port: ready.port, pids: ready.pids };
}

const serverCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

function runLoad<T>(
  script: string,
  args: (string | number)[],
  onMeasuring: () => void,
): Promise<T> {
  const load = fork(here(script), args.map(String), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise<T>((resolve, reject) => {
    load.on('message', (message: { phase?: string }) => {
      if (message.phase === 'measuring') onMeasuring();
      else {
        resolve(message as T);
        void stop(load);
      }
    });
    load.once(
      'exit',
      (code) => code !== 0 && code !== null && reject(new Error(`load exited ${code}`)),
    );
  });
}

interface Echoed {
  perSecond: number;
  perCpuSecond: number;
}

async function echo(name: ServerName, connections: number, bytes: number): Promise<Echoed> {
  const server = await startServer(name, 2);
  try {
    let cpuStart = 0;
    const { replies, seconds: elapsed } = await runLoad<{ replies: number; seconds: number }>(
      './lib/ws-echo-load.ts',
      [server.port, connections, seconds, bytes],
      () => {
        cpuStart = serverCpu(server.pids);
      },
    );
    const cpu = serverCpu(server.pids) - cpuStart;
    return { perSecond: replies / elapsed, perCpuSecond: replies / cpu };
  } finally {
    await stopTree(server);
  }
}

async function broadcast(name: ServerName, clients: number, rounds: number) {
  const server = await startServer(name, 1);
  try {
    let cpuStart = 0;
    const result = await runLoad<{ deliveries: number; seconds: number; p99: number }>(
      './lib/ws-broadcast-load.ts',
      [server.port, clients, rounds],
      () => {
        cpuStart = serverCpu(server.pids);
      },
    );
    const cpu = serverCpu(server.pids) - cpuStart;
    return {
      perSecond: result.deliveries / result.seconds,
      perCpuSecond: result.deliveries / cpu,
      p99: result.p99,
    };
  } finally {
    await stopTree(server);
  }
}

function pss(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1]) * 1024;
}

/** Each process may hold at most ~20 000 descriptors here: spread connections over processes. */
const PER_PROCESS = 15_000;

async function idleMemory(name: ServerName, count: number) {
  const processes = Math.max(1, Math.ceil(count / PER_PROCESS));
  const server = await startServer(name, processes, 'idle');
  const loads: ChildProcess[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = server.pids.reduce((sum, pid) => sum + pss(pid), 0);
    const opened = [];
    for (let first = 0; first < count; first += PER_PROCESS) {
      const load = fork(
        here('./lib/ws-idle-clients.ts'),
        [server.port, Math.min(PER_PROCESS, count - first), first].map(String),
        { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      loads.push(load);
      opened.push(new Promise((resolve) => load.once('message', resolve)));
    }
    await Promise.all(opened);
    // Let the servers' periodic GC run on the settled heap.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const after = server.pids.reduce((sum, pid) => sum + pss(pid), 0);
    return { perConnection: (after - before) / count, processes };
  } finally {
    for (const load of loads) await stop(load);
    await stopTree(server);
  }
}

async function stopTree(server: Started): Promise<void> {
  for (const pid of server.pids.slice(1)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  await stop(server.child);
}

if (sections.has('echo')) {
  console.log(
    `WebSocket, ${seconds} s per echo run, ${runs} runs per case, Node ${process.version}, 2 server processes each`,
  );
  console.log('median (range) over the runs; ratios run by run');
  console.log('| connections | message | server | messages/s | messages per server CPU-s |');
  console.log('|---|---|---|---|---|');
  const names = Object.keys(servers) as ServerName[];
  for (const connections of echoConnections) {
    for (const bytes of echoSizes) {
      const results = Object.fromEntries(names.map((name) => [name, [] as Echoed[]])) as Record<
        ServerName,
        Echoed[]
      >;
      for (let run = 0; run < runs; run++) {
        const order = run % 2 === 0 ? names : [...names].reverse();
        for (const name of order) results[name].push(await echo(name, connections, bytes));
      }
      for (const name of names) {
        const r = results[name];
        console.log(
          `| ${connections} | ${bytes} B | ${name} | ${medianRange(
            r.map((x) => x.perSecond),
            count,
          )} | ${medianRange(
            r.map((x) => x.perCpuSecond),
            count,
          )} |`,
        );
      }
      const ours = results['workerman-ts'];
      const peer = results['ws + bufferutil'];
      const perSecond = pairRatios(
        ours.map((x) => x.perSecond),
        peer.map((x) => x.perSecond),
      );
      const perCpu = pairRatios(
        ours.map((x) => x.perCpuSecond),
        peer.map((x) => x.perCpuSecond),
      );
      console.log(
        `| ${connections} | ${bytes} B | **ratio** | ${ratio(median(perSecond))} (${perSecond.map(ratio).join(' ')}) | **${ratio(median(perCpu))}** (${perCpu.map(ratio).join(' ')}) |`,
      );
    }
  }
}

if (sections.has('broadcast')) {
  console.log('\nBroadcast to 10 000 clients, 20 rounds, 1 server process each');
  console.log('| server | deliveries/s | deliveries per server CPU-s | p99 delay |');
  console.log('|---|---|---|---|');
  for (const name of Object.keys(servers) as ServerName[]) {
    const result = await broadcast(name, 10_000, 20);
    console.log(
      `| ${name} | ${fmt(result.perSecond)} | ${fmt(result.perCpuSecond)} | ${result.p99.toFixed(1)} ms |`,
    );
  }
}

if (sections.has('memory')) {
  console.log('\nResident memory (PSS) per idle connection');
  console.log('| connections | server | processes | PSS per connection |');
  console.log('|---|---|---|---|');
  for (const count of idleCounts) {
    for (const name of Object.keys(servers) as ServerName[]) {
      const { perConnection, processes } = await idleMemory(name, count);
      console.log(
        `| ${fmt(count)} | ${name} | ${processes} | ${(perConnection / 1024).toFixed(2)} KiB |`,
      );
    }
  }
}
