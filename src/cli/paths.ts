import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { controlSocketPath } from '../process/control-socket.js';
import { defaultRuntimeDir, ensurePrivateDir } from '../process/runtime-dir.js';
import { Worker } from '../worker/worker.js';

export interface Paths {
  startFile: string;
  pidFile: string;
  logFile: string;
  controlSocket: string;
}

// Keeps the control socket's path within what a unix socket address holds.
const MAX_NAME_CHARS = 40;

/**
 * The pid file (and the control socket beside it): `Worker.pidFile`, else
 * one per start file in a folder of this user's own (see runtime-dir.ts),
 * named after the file and a hash of its full path so two apps never share
 * one. The log file likewise, unless `Worker.logFile` is set.
 *
 * A default folder is checked every time (created when `create`, for
 * `start`): a folder someone else owns or may write to is refused with
 * `WM_ERR_UNSAFE_PATH` before any file in it is trusted. A path the app
 * sets is the app's choice.
 */
export function resolvePaths(startFile: string, create: boolean): Paths {
  const full = resolve(process.argv[1] ?? startFile);
  const tag = createHash('sha1').update(full).digest('hex').slice(0, 10);
  const name = `${startFile.slice(0, MAX_NAME_CHARS)}-${tag}`;
  const runtimeDir = defaultRuntimeDir();
  const pidFile = Worker.pidFile || join(runtimeDir, `${name}.pid`);
  const logFile = Worker.logFile || pidFile.replace(/\.pid$/, '.log');
  for (const dir of new Set([dirname(pidFile), dirname(logFile)])) {
    if (dir === runtimeDir) ensurePrivateDir(dir, create);
  }
  return { startFile, pidFile, logFile, controlSocket: controlSocketPath(pidFile) };
}
