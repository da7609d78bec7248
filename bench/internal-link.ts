// Internal link: a frame:// worker pushing 64-byte messages to an
// AsyncTcpConnection in another process (as a gateway forwards to a
// business worker), with send batching on (the default) and off
// (TcpConnection.batchSends = false), alternating run by run. Figures:
// messages per second, and the sending server's CPU per 100k messages,
// user and system apart (from /proc).
//
//   node --import tsx bench/internal-link.ts [seconds] [runs]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuTimes, startScript, stop } from './lib/processes.js';
import { median } from './lib/stats.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.argv[2] ?? 3);
const runs = Number(process.argv[3] ?? 3);
const server = here('./servers/frame-push-workerman.ts');

interface Result {
  perSecond: number;
  userPer100k: number;
  systemPer100k: number;
}

async function measure(batch: boolean): Promise<Result> {
  process.env.BATCH = batch ? '1' : '0';
  const { child, ready } = await startScript<{ port: number }>(server);
  const pid = child.pid as number;
  const load = fork(here('./lib/frame-link-load.ts'), [ready.port, seconds].map(String), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    let start = { user: 0, system: 0 };
    const result = await new Promise<{ messages: number; seconds: number }>((resolve, reject) => {
      load.on('message', (message: { phase?: string }) => {
        if (message.phase === 'measuring') start = cpuTimes(pid);
        else resolve(message as { messages: number; seconds: number });
      });
      load.once('exit', (code) => code !== 0 && reject(new Error(`load exited ${code}`)));
    });
    const end = cpuTimes(pid);
    const per100k = (cpu: number) => (cpu / result.messages) * 100_000;
    return {
      perSecond: result.messages / result.seconds,
      userPer100k: per100k(end.user - start.user),
      systemPer100k: per100k(end.system - start.system),
    };
  } finally {
    await stop(load);
    await stop(child);
  }
}

const results: Record<'on' | 'off', Result[]> = { on: [], off: [] };
for (let run = 0; run < runs; run++) {
  const order: ('on' | 'off')[] = run % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
  for (const mode of order) results[mode].push(await measure(mode === 'on'));
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `frame:// internal link, 64-byte messages, ${seconds} s x ${runs} runs (median), Node ${process.version}`,
);
console.log('| batching | messages/s | server CPU ms per 100k (user + system) |');
console.log('|---|---|---|');
for (const mode of ['on', 'off'] as const) {
  const list = results[mode];
  const user = median(list.map((r) => r.userPer100k)) * 1000;
  const system = median(list.map((r) => r.systemPer100k)) * 1000;
  console.log(
    `| ${mode} | ${fmt(median(list.map((r) => r.perSecond)))} | ${fmt(user + system)} (${fmt(user)} + ${fmt(system)}) |`,
  );
}
