// HTTP: our http:// worker against node:http, in one run, each server in 2
// node:cluster processes forked by bench/lib/cluster-server.ts (the process
// manager is not used, so both sides are forked the same way; the primary
// only accepts and hands connections round-robin, its CPU is counted too).
// Load: wrk (Debian package) with one thread, keep-alive, every request with
// its own path, query and header values (bench/lib/wrk-varied.lua). wrk
// shares the two cores with the servers: besides requests per second, the
// fair figure is requests per server CPU-second (all server processes,
// from /proc).
//
//   flock /tmp/workerman-bench.lock node --import tsx bench/http.ts [seconds] [connections, e.g. 64,256] [runs] [cases]
//
// cases: a comma-separated subset of hello,1k,1m (default: all). Each case
// runs `runs` times (default 3), ours and node:http back to back, the order
// alternating from run to run; every figure is reported as the median and
// the range over the runs, ratios taken run by run.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cpuSeconds, startScript, stop } from './lib/processes.js';
import { count, median, medianRange, ms, pairRatios, ratio } from './lib/stats.js';

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.argv[2] ?? 5);
const connectionCounts = (process.argv[3] ?? '64,256').split(',').map(Number);
const runs = Number(process.argv[4] ?? 3);
const selected = new Set((process.argv[5] ?? 'hello,1k,1m').split(','));
const servers = {
  'workerman-ts': here('./servers/http-workerman.ts'),
  'node:http': here('./servers/http-node.ts'),
} as const;
type ServerName = keyof typeof servers;

interface Result {
  rps: number;
  perCpu: number;
  p99ms: number;
  mbPerS: number;
}

/** wrk's latency figure ("1.23ms", "850.00us", "1.02s") in milliseconds. */
function toMs(text: string): number {
  const value = Number.parseFloat(text);
  if (text.endsWith('us')) return value / 1000;
  if (text.endsWith('ms')) return value;
  if (text.endsWith('s')) return value * 1000;
  return value;
}

async function measure(
  name: ServerName,
  connections: number,
  staticName: string | null,
  dir: string,
): Promise<Result> {
  const { child, ready } = await startScript<{ port: number; pids: number[] }>(servers[name], [
    '2',
    dir,
  ]);
  try {
    const args = [
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      here('./lib/wrk-varied.lua'),
    ];
    const url = `http://127.0.0.1:${ready.port}/`;
    // Warm-up (JIT), not measured.
    await run('wrk', [
      '-t1',
      `-c${connections}`,
      '-d1s',
      '-s',
      here('./lib/wrk-varied.lua'),
      url,
      '--',
      ...(staticName ? [staticName] : []),
    ]);
    const before = ready.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    const { stdout } = await run('wrk', [...args, url, '--', ...(staticName ? [staticName] : [])]);
    const cpu = ready.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - before;
    const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
    const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: ([^\n]+)/.exec(stdout);
    if (errors) console.log(`  (${name}: ${errors[0]})`);
    const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(stdout);
    const unit = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 }[transfer?.[2] ?? 'MB'] ?? 1;
    return {
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
      perCpu: requests / cpu,
      p99ms: toMs(/^\s*99%\s+(\S+)/m.exec(stdout)?.[1] ?? '0'),
      mbPerS: Number(transfer?.[1] ?? 0) * unit,
    };
  } finally {
    await stop(child);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'wm-bench-http-'));
writeFileSync(join(dir, '1k.bin'), Buffer.alloc(1024, 'a'));
writeFileSync(join(dir, '1m.bin'), Buffer.alloc(1024 * 1024, 'b'));
try {
  const cases: [string, number, string | null][] = [
    ...(selected.has('hello')
      ? connectionCounts.map((c): [string, number, null] => [
          `hello world, ${c} connections`,
          c,
          null,
        ])
      : []),
    ...(selected.has('1k')
      ? [['static 1 KB file, 64 connections', 64, '1k.bin'] as [string, number, string]]
      : []),
    ...(selected.has('1m')
      ? [['static 1 MB file, 16 connections', 16, '1m.bin'] as [string, number, string]]
      : []),
  ];
  console.log(
    `HTTP, ${seconds} s per run, ${runs} runs per case, Node ${process.version}, 2 server processes each`,
  );
  for (const [label, connections, file] of cases) {
    const results: Record<ServerName, Result[]> = { 'workerman-ts': [], 'node:http': [] };
    for (let run = 0; run < runs; run++) {
      const order: ServerName[] =
        run % 2 === 0 ? ['workerman-ts', 'node:http'] : ['node:http', 'workerman-ts'];
      for (const name of order) results[name].push(await measure(name, connections, file, dir));
    }
    const ours = results['workerman-ts'];
    const peer = results['node:http'];
    console.log(`${label}: median (range) of ${runs} runs`);
    for (const [name, r] of Object.entries(results)) {
      console.log(
        `  ${name.padEnd(13)} ${medianRange(
          r.map((x) => x.rps),
          count,
        )} req/s, ` +
          `${medianRange(
            r.map((x) => x.perCpu),
            count,
          )} req/server-CPU-s, ` +
          `p99 ${medianRange(
            r.map((x) => x.p99ms),
            ms,
          )}, ${medianRange(
            r.map((x) => x.mbPerS),
            (n) => n.toFixed(0),
          )} MB/s`,
      );
    }
    const rps = pairRatios(
      ours.map((x) => x.rps),
      peer.map((x) => x.rps),
    );
    const perCpu = pairRatios(
      ours.map((x) => x.perCpu),
      peer.map((x) => x.perCpu),
    );
    const p99 = pairRatios(
      ours.map((x) => x.p99ms),
      peer.map((x) => x.p99ms),
    );
    console.log(
      `  ratio run by run: req/s ${rps.map(ratio).join(' ')} (median ${ratio(median(rps))}); ` +
        `per server CPU-s ${perCpu.map(ratio).join(' ')} (median ${ratio(median(perCpu))}); ` +
        `p99 ours/node ${p99.map(ratio).join(' ')}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
