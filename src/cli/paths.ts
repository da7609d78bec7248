import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { controlSocketPath } from '../process/control-socket.js';
import type { Paths } from './start.js';

/**
 * The pid file (and the control socket beside it) of a start file: the one
 * given, else one per start file in the temp directory, named after the file
 * and a hash of its full path so two apps never share one (and the unix
 * socket path stays short). The log file likewise. The start file itself and
 * the `workerman-ts` command both find a running master this way.
 */
export function startFilePaths(startFile: string, pidFile = '', logFile = ''): Paths {
  const full = resolve(startFile);
  const name = basename(full);
  const tag = createHash('sha1').update(full).digest('hex').slice(0, 10);
  const pid = pidFile || join(tmpdir(), `workerman-ts-${name}-${tag}.pid`);
  return {
    startFile: name,
    pidFile: pid,
    logFile: logFile || pid.replace(/\.pid$/, '.log'),
    controlSocket: controlSocketPath(pid),
  };
}
