import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';

/**
 * Ports handed to a start file are picked below the kernel's ephemeral range:
 * between the pick and the app's bind, an outgoing connection or a port-0
 * listener of another test can take any port of that range (seen: a start
 * file's bind failing with EADDRINUSE on a busy run), but never one below it.
 */
function fixedPortRange(): { low: number; high: number } | null {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
  } catch {
    // Not Linux: the usual floor.
  }
  const low = 10_000;
  const high = ephemeralLow - 1;
  return high - low >= 1_000 ? { low, high } : null;
}
const FIXED_PORTS = fixedPortRange();

/** Tries to bind `port` (0: any) with `bind`; resolves with the port bound, or null when taken. */
async function probe(
  port: number,
  bind: (port: number) => Promise<number>,
): Promise<number | null> {
  try {
    return await bind(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') return null;
    throw error;
  }
}

/** A port nothing used a moment ago, from FIXED_PORTS when there is one. */
async function freePortWith(bind: (port: number) => Promise<number>): Promise<number> {
  if (FIXED_PORTS !== null) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const { low, high } = FIXED_PORTS;
      const port = await probe(low + Math.floor(Math.random() * (high - low + 1)), bind);
      if (port !== null) return port;
    }
  }
  return (await probe(0, bind)) as number;
}

/** A TCP port free on every address a moment ago (for start files that take a port in their environment). */
export function freePort(): Promise<number> {
  return freePortWith(async (port) => {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', resolve);
    });
    const bound = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return bound;
  });
}

/** A UDP port free on every address a moment ago. */
export function freeUdpPort(): Promise<number> {
  return freePortWith(async (port) => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '0.0.0.0', resolve);
    });
    const bound = socket.address().port;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return bound;
  });
}

/** Lines of a start file's output shown when its test failed. */
const OUTPUT_TAIL_LINES = 60;

export interface StartFileRun {
  child: ChildProcess;
  output: string[];
  /** The private TMPDIR of the run (the master's pid file and control socket are there). */
  tmp: string;
  waitForLine(pattern: RegExp): Promise<string>;
  /** Runs another verb of the same start file against this master (`reload`, `stop`, `status`), through the same prefix. */
  cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * Runs `node --import tsx <file> start` in its own process group, collects its
 * output lines, and kills the group when the test ends. `prefix` runs it
 * through another command (`['ip', 'netns', 'exec', ns]`).
 */
export function runStartFile(
  t: TestContext,
  file: string,
  env: Record<string, string> = {},
  prefix: readonly string[] = [],
): StartFileRun {
  const privateTmp = mkdtempSync(join(tmpdir(), 'wm-run-'));
  const childEnv = { ...process.env, TMPDIR: privateTmp, ...env };
  const command = [...prefix, process.execPath, '--import', 'tsx', file];
  const child = spawn(command[0]!, [...command.slice(1), 'start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  t.after(() => {
    // A failed test shows what the app said: its log is where a cluster's
    // reasons are (a client closed, a link refused, a child restarted).
    // (`passed` is there at run time on every Node we support; @types/node 20 lacks it.)
    if ((t as TestContext & { readonly passed?: boolean }).passed === false) {
      const tail = output.slice(-OUTPUT_TAIL_LINES);
      console.log(`the last ${tail.length} lines of ${file}:\n${tail.join('\n')}`);
    }
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
    // The master keeps its pid file, control socket and log in TMPDIR (see
    // defaultPaths in run-all.ts): a private one per run, so parallel runs of
    // the same start file do not see each other, and nothing is left behind.
    rmSync(privateTmp, { recursive: true, force: true });
  });
  const output: string[] = [];
  let wake: (() => void) | null = null;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      wake?.();
    });
  }
  child.once('exit', () => wake?.());
  const waitForLine = async (pattern: RegExp): Promise<string> => {
    for (let seen = 0; ; ) {
      for (; seen < output.length; seen++) {
        const line = output[seen] as string;
        if (pattern.test(line)) return line;
      }
      if (child.exitCode !== null) {
        throw new Error(
          `exited with ${child.exitCode} before ${pattern}; output: ${output.join(' | ')}`,
        );
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  // The same TMPDIR: the verb finds this master's pid file and control socket.
  const cli = (args: readonly string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', file, ...args],
        { env: childEnv, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  return { child, output, tmp: privateTmp, waitForLine, cli };
}
