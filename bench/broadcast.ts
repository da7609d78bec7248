// Broadcast: one 2 KB JSON message to every client, our Worker.broadcast
// against ws's documented way (`send` to each client), with and without
// permessage-deflate, in one run. Each server is one process; the load
// generator (raw clients, its own process) asks for one broadcast at a time
// and counts the frames every client receives. Figures: deliveries per
// second, deliveries per server CPU-second (from /proc: the fair figure when
// the load generator shares the cores) and the p99 delay from request to
// delivery. Each case runs `runs` times, ours and ws alternating. Without
// compression a third server runs as the reference: the least a Node server
// can do per delivery (bench/servers/broadcast-floor.ts: the frame built once,
// handed straight to each socket's handle), which bounds any ratio to ws.
//
//   node --import tsx bench/broadcast.ts [runs] [client counts, e.g. 1000,10000]
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, startScript, stop } from './lib/processes.js';
import { median } from './lib/stats.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const clientCounts = (process.argv[3] ?? '1000,10000').split(',').map(Number);
const servers = {
  'workerman-ts': here('./servers/broadcast-workerman.ts'),
  'ws + bufferutil': here('./servers/broadcast-ws.ts'),
  'floor (reference)': here('./servers/broadcast-floor.ts'),
};
type ServerName = keyof typeof servers;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Result {
  perSecond: number;
  perCpuSecond: number;
  p99: number;
}

async function measure(name: ServerName, clients: number, deflate: boolean): Promise<Result> {
  const { child, ready } = await startScript<{ port: number }>(servers[name]);
  const pid = child.pid as number;
  // About 200 000 deliveries per run: a few seconds.
  const rounds = Math.max(10, Math.round(200_000 / clients));
  let load: ChildProcess | null = null;
  try {
    let cpuStart = 0;
    const result = await new Promise<{ deliveries: number; seconds: number; p99: number }>(
      (resolve, reject) => {
        load = fork(
          here('./lib/ws-fanout-load.ts'),
          [ready.port, clients, rounds, deflate ? 1 : 0].map(String),
          { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
        );
        load.on('message', (message: { phase?: string }) => {
          if (message.phase === 'measuring') cpuStart = cpuSeconds(pid);
          else resolve(message as { deliveries: number; seconds: number; p99: number });
        });
        load.once('exit', (code) => code !== 0 && reject(new Error(`load exited ${code}`)));
      },
    );
    const cpu = cpuSeconds(pid) - cpuStart;
    return {
      perSecond: result.deliveries / result.seconds,
      perCpuSecond: result.deliveries / cpu,
      p99: result.p99,
    };
  } finally {
    if (load) await stop(load);
    await stop(child);
  }
}

console.log(`broadcast of 2 KB JSON, ${runs} runs per case (median), Node ${process.version}`);
console.log(
  '| clients | permessage-deflate | server | deliveries/s | deliveries per server CPU-s | p99 ms |',
);
console.log('|---|---|---|---|---|---|');
for (const clients of clientCounts) {
  for (const deflate of [false, true]) {
    // The floor writes uncompressed frames only.
    const names = (Object.keys(servers) as ServerName[]).filter(
      (name) => !deflate || name !== 'floor (reference)',
    );
    const results = Object.fromEntries(names.map((name) => [name, [] as Result[]])) as Record<
      ServerName,
      Result[]
    >;
    const ratios: number[] = [];
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? names : [...names].reverse();
      for (const name of order) results[name].push(await measure(name, clients, deflate));
      const ours = results['workerman-ts'][run] as Result;
      const theirs = results['ws + bufferutil'][run] as Result;
      ratios.push(ours.perCpuSecond / theirs.perCpuSecond);
    }
    for (const name of names) {
      const list = results[name];
      console.log(
        `| ${fmt(clients)} | ${deflate ? 'yes' : 'no'} | ${name} | ${fmt(median(list.map((r) => r.perSecond)))} | ${fmt(median(list.map((r) => r.perCpuSecond)))} | ${median(list.map((r) => r.p99)).toFixed(1)} |`,
      );
    }
    console.log(
      `| ${fmt(clients)} | ${deflate ? 'yes' : 'no'} | **ratio** | | **${median(ratios).toFixed(2)}x** (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}) | |`,
    );
  }
}
