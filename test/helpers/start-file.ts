import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';

/** A loopback port that was free a moment ago (for start files that take a port in their environment). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback UDP port that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
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
