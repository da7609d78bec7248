// Gateway cluster against socket.io 4 and a single-process ws broadcast, in
// one run. Our cluster is started with the CLI: a register, 2 websocket
// gateway processes, 2 business workers whose onMessage calls
// `Gateway.sendToAll(message)` (or `client.send(message)` for requests).
// socket.io runs 2 node:cluster processes with the Redis adapter (`io.emit`;
// redis-server's CPU and memory count as the server's); ws is one process
// sending to each client. A load process (raw clients, see
// lib/relay-load.ts) measures:
//   (a) fan-out: 64-byte messages, 8 in flight, each sent by one client and
//       delivered to every client: deliveries/s, deliveries per server
//       CPU-second (all server processes, from /proc), p50/p99 send→receipt;
//   (b) requests: 1,000 clients each with one request in flight, answered to
//       the sender only (`client.send` through the business worker).
// Each case runs `runs` times, the servers in rotating order; medians.
//
// Then the memory of idle connected clients, at the largest client count,
// on a fresh start of each server (lib/idle-memory-run.ts; about 2-4 minutes
// per server; GATEWAY_BENCH_MEMORY_RUNS=n runs it n times, 0 skips it): PSS
// of every server process once the clients' memory settled, minus before,
// per client, and the same 2 s after the last connect. It used to be read
// inside the runs above, 2 s after the last connect minus 1 s after the
// start, which measured three things besides the clients:
//   - the young generation the burst of connects grew in every process that
//     took them (up to 32 MB each, 6.4 KiB per client for our 2 gateway
//     processes at 10,000 clients, 3.2 KiB for ws's one); V8 gives it back
//     at its first GC after about 5 s of little allocation, which in an
//     idle process may come minutes later;
//   - a "before" too high by what each process's start still held 1 s in
//     (young generation, garbage, pooled pages: 309 MB falling to 234 MB in
//     100 s for our 6 processes, 151 to 99 MB for socket.io's 3, 39 to 30 MB
//     for ws, no client connected): what a process gave back between the
//     readings was taken off the clients' cost, more so for a server of
//     more processes;
//   - the load process, started between the readings, which lowers every
//     server process's share (PSS) of the pages Node processes share.
// bench/gateway-memory.ts runs the same measurement alone, with what the
// memory is made of.
//
//   node --import tsx bench/gateway.ts [runs] [client counts, e.g. 1000,10000]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type IdleMemoryRun, measureIdleMemory } from './lib/idle-memory-run.js';
import { raiseOpenFileLimit } from './lib/open-files.js';
import { totalCpuTimes } from './lib/processes.js';
import {
  type RunningServer,
  SERVER_NAMES,
  SERVER_SHAPES,
  type ServerName,
  startServer,
} from './lib/relay-servers.js';
import { count, median, ms, pairRatios, ratio } from './lib/stats.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const clientCounts = (process.argv[3] ?? '1000,10000').split(',').map(Number);
const IN_FLIGHT = 8;
const REQUEST_CLIENTS = 1000;
const REQUESTS = 60_000;

const limit = raiseOpenFileLimit(Math.max(...clientCounts) + 1000);

interface Phase {
  perSecond: number;
  perCpuSecond: number;
  userShare: number;
  p50: number;
  p99: number;
}
interface Result {
  fanOut: Phase;
  requests: Phase;
}

type Cpu = { user: number; system: number };
interface LoadReport {
  phase: string;
  deliveries: number;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
}
function phase(done: number, seconds: number, from: Cpu, to: Cpu, p50: number, p99: number): Phase {
  const user = to.user - from.user;
  const system = to.system - from.system;
  return {
    perSecond: done / seconds,
    perCpuSecond: done / (user + system),
    userShare: user / (user + system),
    p50,
    p99,
  };
}

async function measure(name: ServerName, clients: number): Promise<Result> {
  const server: RunningServer = await startServer(name);
  const messages = Math.max(64, Math.round(600_000 / clients));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const load = fork(
      here('./lib/relay-load.ts'),
      [
        server.port,
        clients,
        name === 'socket.io 4 + redis' ? 'socketio' : 'raw',
        messages,
        IN_FLIGHT,
        REQUESTS,
        REQUEST_CLIENTS,
      ].map(String),
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    try {
      return await new Promise<Result>((resolve, reject) => {
        let cpu: Cpu[] = [];
        let fanOut: Phase;
        load.on('message', (message: LoadReport) => {
          switch (message.phase) {
            case 'fanout':
              cpu = [totalCpuTimes(server.pids)];
              break;
            case 'fanout-done': {
              cpu.push(totalCpuTimes(server.pids));
              const m = message;
              fanOut = phase(m.deliveries, m.seconds, cpu[0] as Cpu, cpu[1] as Cpu, m.p50, m.p99);
              break;
            }
            case 'requests-done': {
              const m = message;
              const requests = phase(
                m.requests,
                m.seconds,
                cpu[1] as Cpu,
                totalCpuTimes(server.pids),
                m.p50,
                m.p99,
              );
              resolve({ fanOut, requests });
              return;
            }
          }
          load.send('go on');
        });
        load.once('exit', (code) => reject(new Error(`${name}: load exited with ${code}`)));
      });
    } finally {
      load.kill('SIGKILL');
    }
  } finally {
    await server.stop();
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(2)} KiB`;
const share = (p: Phase) =>
  `${Math.round(p.userShare * 100)} / ${Math.round((1 - p.userShare) * 100)}`;
const OURS: ServerName = 'workerman-ts gateway';
// GATEWAY_BENCH_SERVERS="workerman-ts gateway,ws" measures only those (when profiling, say).
const chosen = process.env.GATEWAY_BENCH_SERVERS?.split(',');
const servers = SERVER_NAMES.filter((name) => !chosen || chosen.includes(name));

console.log(
  `Gateway cluster, ${runs} runs per case (median), Node ${process.version}, ${limit} open files`,
);
for (const name of servers) console.log(`- ${name}: ${SERVER_SHAPES[name]}`);
const tables = { fanOut: [] as string[], requests: [] as string[], memory: [] as string[] };
for (const clients of clientCounts) {
  const results = Object.fromEntries(servers.map((n) => [n, [] as Result[]])) as Record<
    ServerName,
    Result[]
  >;
  for (let run = 0; run < runs; run++) {
    const order = servers.map((_, i) => servers[(i + run) % servers.length] as ServerName);
    for (const name of order) {
      const result = await measure(name, clients);
      results[name].push(result);
      console.error(
        `  ${clients} clients, run ${run + 1}, ${name}: ${count(result.fanOut.perSecond)} deliveries/s, ` +
          `${count(result.fanOut.perCpuSecond)} per CPU-s, p99 ${ms(result.fanOut.p99)}; ` +
          `${count(result.requests.perSecond)} requests/s, ${count(result.requests.perCpuSecond)} per CPU-s`,
      );
    }
  }
  for (const key of ['fanOut', 'requests'] as const) {
    const ours = results[OURS]?.map((r) => r[key].perCpuSecond) ?? [];
    for (const name of servers) {
      const list = results[name].map((r) => r[key]);
      const versus = (peer: ServerName) => {
        const theirs = results[peer]?.map((r) => r[key].perCpuSecond);
        return name === OURS && theirs ? ratio(median(pairRatios(ours, theirs))) : '';
      };
      tables[key].push(
        `| ${count(clients)} | ${name} | ${count(median(list.map((p) => p.perSecond)))} | ` +
          `${count(median(list.map((p) => p.perCpuSecond)))} | ${share(list[Math.floor(list.length / 2)] as Phase)} | ` +
          `${median(list.map((p) => p.p50)).toFixed(1)} | ${median(list.map((p) => p.p99)).toFixed(1)} | ` +
          `${versus('ws')} | ${versus('socket.io 4 + redis')} |`,
      );
    }
  }
}

// Idle memory, at the largest client count only: at 1,000 clients a few MB
// of drift in any process is several KiB per client.
const memoryRuns = Number(process.env.GATEWAY_BENCH_MEMORY_RUNS ?? 1);
const memoryClients = Math.max(...clientCounts);
for (const name of memoryRuns > 0 ? servers : []) {
  const list: IdleMemoryRun[] = [];
  for (let run = 0; run < memoryRuns; run++) {
    list.push(await measureIdleMemory(name, memoryClients, [2]));
  }
  const at = (when: string, key: 'pss' | 'anonymous') =>
    median(list.map((r) => r.points.find((p) => p.when === when)?.perClient[key] ?? Number.NaN));
  console.error(
    `  memory, ${memoryClients} clients, ${name}: ${kib(at('settled', 'pss'))} settled`,
  );
  tables.memory.push(
    `| ${count(memoryClients)} | ${name} | ${kib(at('settled', 'pss'))} | ${kib(at('settled', 'anonymous'))} | ` +
      `${kib(at('2 s', 'pss'))} |`,
  );
}

const head = (what: string) =>
  `| clients | server | ${what}/s | ${what} per server CPU-s | CPU user / system % | p50 ms | p99 ms | per CPU-s vs ws | per CPU-s vs socket.io |\n|---|---|---|---|---|---|---|---|---|`;
console.log(`\n(a) fan-out, 64-byte messages, ${IN_FLIGHT} in flight\n`);
console.log(head('deliveries'));
console.log(tables.fanOut.join('\n'));
console.log(
  `\n(b) requests answered to the sender, ${REQUEST_CLIENTS} clients with one in flight each\n`,
);
console.log(head('requests'));
console.log(tables.requests.join('\n'));
if (tables.memory.length > 0) {
  console.log(
    `\nmemory per idle connected client (all server processes, minus before, lib/idle-memory-run.ts${memoryRuns > 1 ? `, median of ${memoryRuns} runs` : ''})\n`,
  );
  console.log(
    '| clients | server | PSS per client, settled | anonymous per client, settled | PSS per client 2 s after the connects |\n|---|---|---|---|---|',
  );
  console.log(tables.memory.join('\n'));
}
