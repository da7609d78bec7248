import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StatusReport } from '../../src/process/status.js';

const SRC = fileURLToPath(new URL('../../src/index.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A start file in its own temp directory, driven through the real CLI
 * (`node --import tsx start.ts <verb>`). `body` is the app: it gets
 * `Worker` (and the rest of the package) in scope and may read `PORT`.
 * When the test ends, the master's whole process group is killed and the
 * directory removed, whatever happened.
 */
export function managedApp(t: TestContext, body: string) {
  const dir = mkdtempSync(join(tmpdir(), 'wm-pm-'));
  const startFile = join(dir, 'start.ts');
  const pidFile = join(dir, 'app.pid');
  writeFileSync(
    startFile,
    `import * as wm from ${JSON.stringify(SRC)};\n` +
      `const { Worker, Timer } = wm;\n` +
      `Worker.pidFile = ${JSON.stringify(pidFile)};\n` +
      `Worker.logFile = ${JSON.stringify(join(dir, 'app.log'))};\n` +
      `Worker.stdoutFile = ${JSON.stringify(join(dir, 'stdout.log'))};\n` +
      `const PORT = Number(process.env.PORT ?? 0);\n${body}\nWorker.runAll();\n`,
  );
  const groups = new Set<number>();
  const masterPid = (): number => {
    try {
      return Number.parseInt(readFileSync(pidFile, 'utf8'), 10) || 0;
    } catch {
      return 0;
    }
  };
  t.after(() => {
    const pid = masterPid();
    if (pid > 0) groups.add(pid);
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', startFile, ...args],
        { env: { ...process.env, ...env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          const pid = masterPid();
          if (pid > 0) groups.add(pid);
          resolve({ code, stdout, stderr });
        },
      );
    });
  const status = async (): Promise<StatusReport> => {
    const result = await cli(['status', '--json']);
    if (result.code !== 0) throw new Error(`status failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as StatusReport;
  };
  return {
    dir,
    startFile,
    pidFile,
    masterPid,
    cli,
    status,
    track: (group: number) => groups.add(group),
  };
}
