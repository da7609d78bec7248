// What idle WebSocket clients cost the servers of bench/gateway.ts, and what
// that memory is made of, without the CPU phases: each server is started as
// bench/gateway.ts starts it, N clients connect and stay idle, and the
// memory is read as lib/idle-memory-run.ts says (why "before" waits for a
// warm-up, and why "settled" follows V8's low-memory GC). Figures, each
// after minus before over the clients, in KiB:
//   - PSS, RSS and anonymous memory of every server process (from /proc);
//   - over the Node processes (memory-probe.mjs): V8's young generation
//     (new spaces, committed), old generation (used and committed: old,
//     code, map, large-object spaces), external and ArrayBuffer memory,
//     and RSS minus the committed heap (malloc: the sockets' native
//     handles, libuv, Node's own).
// The second table gives, per process, its growth, the sockets it holds and
// its V8 heap growth per socket held, at the settled reading.
//
//   node --import tsx bench/gateway-memory.ts [clients] [sample seconds, e.g. 2,10] [servers] [runs]
//
// servers: a comma-separated subset of the names in lib/relay-servers.ts
// (default: all). GATEWAY_EXEC_ARGV and GATEWAY_BUSINESS_EXEC_ARGV reach our
// cluster's start file (bench/servers/gateway-cluster.ts); MEMORY_WARMUP_S
// changes the warm-up (100 s); MEMORY_DETAIL=1 prints every process's
// absolute figures at every reading on stderr.
import {
  FIGURE_KEYS,
  type IdleMemoryRun,
  measureIdleMemory,
  WARMUP_MS,
} from './lib/idle-memory-run.js';
import { raiseOpenFileLimit } from './lib/open-files.js';
import { SERVER_NAMES } from './lib/relay-servers.js';
import { median } from './lib/stats.js';

const clients = Number(process.argv[2] ?? 10_000);
const samples = (process.argv[3] ?? '2').split(',').map(Number);
const chosen = process.argv[4]?.split(',');
const runs = Number(process.argv[5] ?? 1);
const servers = SERVER_NAMES.filter((name) => !chosen || chosen.includes(name));
const warmupMs =
  process.env.MEMORY_WARMUP_S === undefined
    ? WARMUP_MS
    : Number(process.env.MEMORY_WARMUP_S) * 1000;

raiseOpenFileLimit(clients + 1000);

const kib = (bytes: number) => (bytes / 1024).toFixed(2);
const mib = (bytes: number) => (bytes / 1048576).toFixed(1);
const rows: string[] = [];
const processRows: string[] = [];

for (const name of servers) {
  const results: IdleMemoryRun[] = [];
  for (let run = 0; run < runs; run++) {
    const result = await measureIdleMemory(name, clients, samples, warmupMs);
    results.push(result);
    if (process.env.MEMORY_DETAIL) for (const line of result.detail) console.error(line);
    const settled = result.points[result.points.length - 1]?.perClient;
    console.error(
      `  ${name}, run ${run + 1}: ${kib(settled?.pss ?? 0)} KiB PSS per client settled`,
    );
    for (const p of result.processes) {
      processRows.push(
        `| ${name} | ${run + 1} | ${p.pid} | ${mib(p.pssBefore)} | ${mib(p.pssGrowth)} | ` +
          `${mib(p.anonymousGrowth)} | ${p.sockets} | ${p.heapGrowth === null || p.sockets < 100 ? '' : p.heapGrowth.toFixed(0)} |`,
      );
    }
  }
  const whens = (results[0] as IdleMemoryRun).points.map((point) => point.when);
  whens.forEach((when, i) => {
    const cells = FIGURE_KEYS.map((key) =>
      kib(median(results.map((r) => (r.points[i] as IdleMemoryRun['points'][0]).perClient[key]))),
    );
    rows.push(`| ${name} | ${when} | ${cells.join(' | ')} |`);
  });
}

console.log(
  `${clients} idle WebSocket clients, Node ${process.version}, warm-up ${warmupMs / 1000} s; ` +
    `KiB per client, after minus before${runs > 1 ? `, median of ${runs} runs` : ''}`,
);
console.log(
  `\n| server | when | ${FIGURE_KEYS.join(' | ')} |\n|${'---|'.repeat(FIGURE_KEYS.length + 2)}`,
);
console.log(rows.join('\n'));
console.log(
  '\nper process at the settled reading (MiB; heap: growth of V8 heap used per socket held, bytes)\n',
);
console.log(
  '| server | run | pid | PSS before | PSS growth | anonymous growth | sockets | heap per socket |\n|---|---|---|---|---|---|---|---|',
);
console.log(processRows.join('\n'));
