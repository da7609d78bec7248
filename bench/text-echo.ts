// Text echo: our text:// worker against a hand-written node:net server with
// the same newline framing, in the same run. Each scenario runs the servers
// in turn against the same load generator (its own process, sharing the two
// cores), and reports replies per second and replies per server CPU-second,
// read from /proc, which is the fair figure when the load generator competes
// for the same cores.
//
//   node --import tsx bench/text-echo.ts [seconds]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, startScript, stop } from './lib/processes.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.argv[2] ?? 5);
const servers = {
  'workerman-ts': here('./servers/text-echo-workerman.ts'),
  'node:net by hand': here('./servers/text-echo-net.ts'),
};
const scenarios = [
  { connections: 64, depth: 1, bytes: 32 },
  { connections: 1000, depth: 1, bytes: 32 },
  { connections: 64, depth: 16, bytes: 32 },
];

interface Result {
  perSecond: number;
  perCpuSecond: number;
  cpuPer100k: number;
}

async function measure(server: string, scenario: (typeof scenarios)[number]): Promise<Result> {
  const { child, ready } = await startScript<{ port: number }>(server);
  const pid = child.pid as number;
  try {
    const load = fork(
      here('./lib/echo-load.ts'),
      [ready.port, scenario.connections, scenario.depth, seconds, scenario.bytes].map(String),
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    let cpuAtStart = 0;
    const done = new Promise<{ replies: number; seconds: number }>((resolve, reject) => {
      load.on('message', (message: { phase?: string; replies?: number; seconds?: number }) => {
        if (message.phase === 'measuring') cpuAtStart = cpuSeconds(pid);
        else resolve(message as { replies: number; seconds: number });
      });
      load.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
    });
    const { replies, seconds: elapsed } = await done;
    const cpu = cpuSeconds(pid) - cpuAtStart;
    await stop(load);
    return {
      perSecond: replies / elapsed,
      perCpuSecond: replies / cpu,
      cpuPer100k: (cpu / replies) * 100_000,
    };
  } finally {
    await stop(child);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`text echo, ${seconds} s per run, Node ${process.version}`);
console.log(
  '| connections | in flight | server | replies/s | server CPU s per 100k | replies per server CPU-s |',
);
console.log('|---|---|---|---|---|---|');
for (const scenario of scenarios) {
  const results: Record<string, Result> = {};
  for (const [name, script] of Object.entries(servers)) {
    const result = await measure(script, scenario);
    results[name] = result;
    console.log(
      `| ${scenario.connections} | ${scenario.depth} | ${name} | ${fmt(result.perSecond)} | ${result.cpuPer100k.toFixed(2)} | ${fmt(result.perCpuSecond)} |`,
    );
  }
  const ours = results['workerman-ts'] as Result;
  const peer = results['node:net by hand'] as Result;
  console.log(
    `| ${scenario.connections} | ${scenario.depth} | **ratio** | ${(ours.perSecond / peer.perSecond).toFixed(2)}x | | **${(ours.perCpuSecond / peer.perCpuSecond).toFixed(2)}x** |`,
  );
}
