// One measurement of what idle WebSocket clients cost a server of
// bench/gateway.ts (lib/relay-servers.ts), for bench/gateway.ts and
// bench/gateway-memory.ts:
//
//  1. The server starts with bench/lib/memory-probe.mjs in each of its Node
//     processes, and the load process (lib/relay-load.ts, which speaks
//     socket.io's packets to socket.io) starts, idle: a Node process
//     starting between the readings would lower every server process's
//     share (PSS) of the pages all Node processes share, the more so the
//     more processes a server has.
//  2. Warm-up: V8's low-memory GC in every Node process of the server, then
//     `warmupMs`. A Node process just started holds a young generation its
//     start grew (8-16 MB) and garbage, and gives them back by itself over
//     its first minute or two: the memory reducer, and pages V8 pooled and
//     releases later (measured: a few MB per process at 15-40 s, 14-16 MB
//     in our master at 40-100 s; socket.io's 3 processes went from 151 to
//     99 MB in 107 s, ws from 39 to 30 MB in 15 s, ours from 309 to 234 MB
//     in 100 s, no client connected). Read before that, "before" is too
//     high, by an amount that depends on the server's process count.
//  3. "before": the low-memory GC again, then /proc and the probes.
//  4. The clients connect (100 at a time, as for the CPU runs); at each of
//     `samples` seconds after the last connect, the memory as it is (at 2 s:
//     what bench/gateway.ts used to read).
//  5. "settled": the low-memory GC, then /proc and the probes. A burst of
//     connections grows V8's young generation to its maximum (16 MB semi-
//     spaces, 32 MB per process), and V8 gives it back only at its first GC
//     after about 5 s of little allocation, which in an idle process may
//     come minutes later; the low-memory GC is that GC now (it also
//     compacts, as the memory reducer of an idle process does).
// Every figure is the readings' difference divided by the clients.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  openProbes,
  type Probes,
  type ProcessSample,
  probeMemory,
  socketCount,
} from './memory-probes.js';
import { stop } from './processes.js';
import { type ServerName, startServer } from './relay-servers.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const YOUNG = ['new_space', 'new_large_object_space'];
/** Time for the servers to finish with the connects (business workers handle them) before "settled". */
const QUIET_MS = 2000;
/** Default warm-up: past the 100 s in which the servers measured gave back what their start held. */
export const WARMUP_MS = 100_000;

/** What a process's memory is made of, in bytes (per client once divided). */
export function memoryFigures(s: ProcessSample) {
  const p = s.probe;
  const spaces = Object.entries(p?.spaces ?? {});
  const sum = (list: typeof spaces, key: 'used' | 'committed') =>
    list.reduce((total, [, space]) => total + space[key], 0);
  const young = spaces.filter(([name]) => YOUNG.includes(name));
  const old = spaces.filter(([name]) => !YOUNG.includes(name));
  return {
    pss: s.pss,
    rss: s.rss,
    anonymous: s.anonymous,
    /** V8's new spaces, committed. */
    youngCommitted: sum(young, 'committed'),
    /** Old, code, map and large-object spaces: used, and committed. */
    oldUsed: sum(old, 'used'),
    oldCommitted: sum(old, 'committed'),
    external: p?.memory.external ?? 0,
    arrayBuffers: p?.memory.arrayBuffers ?? 0,
    /** RSS outside V8's heap: malloc (the sockets' native handles, libuv, Node), code, stacks. */
    rssOutsideHeap: p ? s.rss - p.heap.committed : 0,
  };
}
export type MemoryFigures = ReturnType<typeof memoryFigures>;
export const FIGURE_KEYS = Object.keys(
  memoryFigures({ pid: 0, pss: 0, rss: 0, anonymous: 0, probe: null }),
) as (keyof MemoryFigures)[];

export interface ProcessGrowth {
  pid: number;
  pssBefore: number;
  pssGrowth: number;
  anonymousGrowth: number;
  /** Sockets the process holds at the settled reading. */
  sockets: number;
  /** Growth of V8's used heap, over `sockets`; null for a process without a probe. */
  heapGrowth: number | null;
}

export interface IdleMemoryRun {
  /** Per client, at each sample time ("2 s", ...) and "settled". */
  points: { when: string; perClient: MemoryFigures }[];
  processes: ProcessGrowth[];
  /** Every reading of every process, in full (MEMORY_DETAIL). */
  detail: string[];
}

function perClient(before: ProcessSample[], after: ProcessSample[], clients: number) {
  const total = Object.fromEntries(FIGURE_KEYS.map((key) => [key, 0])) as MemoryFigures;
  for (const a of after) {
    const b = before.find((s) => s.pid === a.pid);
    if (!b) continue;
    const fa = memoryFigures(a);
    const fb = memoryFigures(b);
    for (const key of FIGURE_KEYS) total[key] += (fa[key] - fb[key]) / clients;
  }
  return total;
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

/** Runs the measurement above on a fresh start of `name`; the server is stopped after it. */
export async function measureIdleMemory(
  name: ServerName,
  clients: number,
  samples: readonly number[] = [2],
  warmupMs = WARMUP_MS,
): Promise<IdleMemoryRun> {
  const probes: Probes = openProbes();
  const saved = Object.fromEntries(Object.keys(probes.env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, probes.env);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(name);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  try {
    const mode = name === 'socket.io 4 + redis' ? 'socketio' : 'raw';
    // No message is sent: the load is never told to go on past `connected`.
    const load = fork(
      here('./relay-load.ts'),
      [server.port, clients, mode, 0, 0, 0, 0, 'wait'].map(String),
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    try {
      const exited = new Promise<never>((_, reject) =>
        load.once('exit', (code) => reject(new Error(`${name}: load exited with ${code}`))),
      );
      exited.catch(() => {});
      const answer = () =>
        Promise.race([new Promise((resolve) => load.once('message', resolve)), exited]);
      await answer();
      await probeMemory(probes, server.pids, true);
      await wait(warmupMs);
      const before = await probeMemory(probes, server.pids, true);
      load.send('go on');
      await answer();
      const connected = Date.now();
      const readings: [string, ProcessSample[]][] = [];
      for (const seconds of samples) {
        await wait(connected + seconds * 1000 - Date.now());
        readings.push([`${seconds} s`, await probeMemory(probes, server.pids, false)]);
      }
      await wait(connected + QUIET_MS - Date.now());
      const settled = await probeMemory(probes, server.pids, true);
      readings.push(['settled', settled]);
      const detail: string[] = [];
      for (const [when, list] of [['before', before] as const, ...readings]) {
        for (const s of list) {
          const f = memoryFigures(s);
          const text = FIGURE_KEYS.map((key) => `${key} ${mib(f[key])}`).join(', ');
          detail.push(`${name} ${when} ${s.pid}: ${text} MiB`);
        }
      }
      return {
        points: readings.map(([when, after]) => ({
          when,
          perClient: perClient(before, after, clients),
        })),
        processes: settled.map((a) => {
          const b = before.find((s) => s.pid === a.pid) as ProcessSample;
          const sockets = socketCount(a.pid);
          const heapGrowth =
            a.probe && b.probe && sockets > 0
              ? (a.probe.heap.used - b.probe.heap.used) / sockets
              : null;
          return {
            pid: a.pid,
            pssBefore: b.pss,
            pssGrowth: a.pss - b.pss,
            anonymousGrowth: a.anonymous - b.anonymous,
            sockets,
            heapGrowth,
          };
        }),
        detail,
      };
    } finally {
      await stop(load);
    }
  } finally {
    await server.stop();
    probes.close();
  }
}
