// The parent side of memory-probe.mjs: servers started with `Probes.env`
// in their environment load the probe in every Node process (NODE_OPTIONS
// reaches a cluster's children too); `probeMemory` then asks each Node
// process of the server for its report, optionally after V8's low-memory
// GC, and reads PSS, RSS and anonymous memory of every process (Node or
// not) from /proc.
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processMemory } from './processes.js';

export interface ProbeReport {
  pid: number;
  /** True when V8's low-memory GC ran just before the report. */
  gc: boolean;
  at: number;
  memory: NodeJS.MemoryUsage;
  heap: { used: number; committed: number; physical: number; malloced: number };
  spaces: Record<string, { used: number; committed: number; physical: number }>;
}

/** One process's memory: from /proc, and from its probe (null for a process without one, redis-server). */
export interface ProcessSample {
  pid: number;
  pss: number;
  rss: number;
  anonymous: number;
  probe: ProbeReport | null;
}

export interface Probes {
  /** Environment for the server's processes: loads the probe into every Node process. */
  readonly env: Record<string, string>;
  /** Where the reports go; removed by `close`. */
  readonly dir: string;
  close(): void;
}

const PROBE = fileURLToPath(new URL('./memory-probe.mjs', import.meta.url));
/** After a GC, the time V8's background threads take to hand freed pages back to the system. */
const RELEASE_MS = 2000;

export function openProbes(): Probes {
  const dir = mkdtempSync(join(tmpdir(), 'wm-memory-probe-'));
  return {
    env: { NODE_OPTIONS: `--import ${PROBE}`, MEMORY_PROBE_DIR: dir },
    dir,
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function isNode(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath;
  } catch {
    return false;
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks every Node process among `pids` for a report, as it is or after
 * V8's low-memory GC (`collect`, see memory-probe.mjs), then reads /proc for
 * all of them: at once, or after a GC RELEASE_MS later. Throws when a Node
 * process does not answer within 20 s (it was started without the probe).
 */
export async function probeMemory(
  probes: Probes,
  pids: readonly number[],
  collect: boolean,
): Promise<ProcessSample[]> {
  const since = Date.now();
  const nodes = pids.filter(isNode);
  for (const pid of nodes) process.kill(pid, collect ? 'SIGURG' : 'SIGWINCH');
  const reports = new Map<number, ProbeReport>();
  for (let i = 0; i < 800 && reports.size < nodes.length; i++) {
    await wait(25);
    for (const pid of nodes) {
      const path = join(probes.dir, `${pid}.json`);
      if (reports.has(pid) || !existsSync(path)) continue;
      const report = JSON.parse(readFileSync(path, 'utf8')) as ProbeReport;
      if (report.at >= since) reports.set(pid, report);
    }
  }
  const silent = nodes.filter((pid) => !reports.has(pid));
  if (silent.length > 0) throw new Error(`no memory report from process(es) ${silent.join(', ')}`);
  if (collect) await wait(RELEASE_MS);
  return pids.map((pid) => ({ pid, ...processMemory(pid), probe: reports.get(pid) ?? null }));
}

/** Sockets a process holds open (its file descriptors that are sockets). */
export function socketCount(pid: number): number {
  const fds = `/proc/${pid}/fd`;
  let names: string[];
  try {
    names = readdirSync(fds);
  } catch {
    return 0; // Gone.
  }
  let count = 0;
  for (const fd of names) {
    try {
      if (readlinkSync(join(fds, fd)).startsWith('socket:')) count++;
    } catch {
      // Closed meanwhile.
    }
  }
  return count;
}
