import { nodeCrypto } from '../builtins.js';
import { controlSocketPath } from '../process/control-socket.js';
import { defaultRuntimeDir, ensurePrivateDir } from '../process/runtime-dir.js';
import { Worker } from '../worker/worker.js';

const { basename, dirname, join, resolve } = process.getBuiltinModule('node:path');

export interface Paths {
  startFile: string;
  pidFile: string;
  logFile: string;
  controlSocket: string;
}

// Keeps the control socket's path within what a unix socket address holds.
const MAX_NAME_CHARS = 40;

/**
 * The pid file (and the control socket beside it) of a start file: the one
 * given, else one per start file in a folder of this user's own (see
 * runtime-dir.ts), named after the file and a hash of its full path so two
 * apps never share one. The log file likewise. The start file itself and the
 * `workerman-ts` command both find a running master this way.
 *
 * A default folder is checked every time (created when `create`, for
 * `start`): a folder someone else owns or may write to is refused with
 * `WM_ERR_UNSAFE_PATH` before any file in it is trusted. A path the app
 * sets is the app's choice.
 */
export function startFilePaths(
  startFile: string,
  pidFile = '',
  logFile = '',
  create = false,
): Paths {
  const full = resolve(startFile);
  const name = basename(full);
  const runtimeDir = defaultRuntimeDir();
  const pid = pidFile || join(runtimeDir, `${name.slice(0, MAX_NAME_CHARS)}-${pathTag(full)}.pid`);
  const log = logFile || pid.replace(/\.pid$/, '.log');
  for (const dir of new Set([dirname(pid), dirname(log)])) {
    if (dir === runtimeDir) ensurePrivateDir(dir, create);
  }
  return { startFile: name, pidFile: pid, logFile: log, controlSocket: controlSocketPath(pid) };
}

/** Ten hex digits of the SHA-1 of a start file's full path: two apps never share a pid file. */
function pathTag(full: string): string {
  return nodeCrypto().createHash('sha1').update(full).digest('hex').slice(0, 10);
}

/** The running start file's paths, unless `Worker.pidFile` / `Worker.logFile` say otherwise. */
export function resolvePaths(startFile: string, create: boolean): Paths {
  return startFilePaths(process.argv[1] ?? startFile, Worker.pidFile, Worker.logFile, create);
}
