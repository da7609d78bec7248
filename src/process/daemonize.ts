import { nodeChildProcess } from '../builtins.js';
import { ENV_DAEMON } from './ipc.js';

const { closeSync, openSync } = process.getBuiltinModule('node:fs');

/** What the detached master tells its launcher, once. */
export type DaemonReport = { daemon: 'ready'; pid: number } | { daemon: 'failed'; message: string };

/**
 * `start -d`: re-runs the same start file (with the same Node flags, so
 * `--import tsx` and tsx's own loader come along) as a detached session
 * leader whose output goes to `stdoutFile`, and waits until it reports that
 * every child is ready, or why not. The launcher then exits; the daemon stays.
 */
export function launchDaemon(stdoutFile: string): Promise<DaemonReport> {
  const output = openSync(stdoutFile, 'a');
  const { spawn } = nodeChildProcess();
  const daemon = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ['ignore', output, output, 'ipc'],
    env: { ...process.env, [ENV_DAEMON]: '1' },
  });
  closeSync(output);
  return new Promise((resolve) => {
    daemon.once('message', (report: DaemonReport) => {
      daemon.disconnect();
      daemon.unref();
      resolve(report);
    });
    daemon.once('exit', (code, signal) => {
      resolve({
        daemon: 'failed',
        message: `the master exited (${signal ?? code}) before it was ready; see ${stdoutFile}`,
      });
    });
  });
}

/** In the detached master: true when this process was launched by `start -d`. */
export function isDaemon(): boolean {
  return process.env[ENV_DAEMON] === '1';
}

/** In the detached master: tells the launcher how the start went and lets it go. */
export function reportToLauncher(report: DaemonReport): void {
  if (!process.send) return;
  process.send(report, () => process.disconnect?.());
}
