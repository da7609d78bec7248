import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { controlCommand, stop } from '../cli/commands.js';
import { parseCommand, usage } from '../cli/parse-command.js';
import { isRunning, type Paths, startCommand } from '../cli/start.js';
import { log } from '../log.js';
import { runChild } from '../process/child.js';
import { controlSocketPath } from '../process/control-socket.js';
import { Timer } from '../timer/timer.js';
import { Worker } from './worker.js';

let stopping: Promise<void> | null = null;

/**
 * `Worker.runAll()`: in a child forked by the master, runs that child's one
 * worker; otherwise reads the command line (`start [-d]`, `stop [-g]`,
 * `restart`, `reload [-g]`, `status [-d]`, `connections`) and either becomes
 * the master or asks the running one through its control socket.
 */
export async function runAll(workers: readonly Worker[]): Promise<void> {
  const startFile = basename(process.argv[1] ?? 'app.js');
  const paths = defaultPaths(startFile);
  if (cluster.isWorker) return runChild(workers);
  const command = parseCommand(process.argv.slice(2));
  if (command === null) {
    process.stdout.write(`${usage(startFile)}\n`);
    process.exit(64);
  }
  const snapshot = [...workers];
  let code: number;
  switch (command.verb) {
    case 'start':
      code = await startCommand(snapshot, command, paths);
      break;
    case 'restart':
      code = (await isRunning(paths)) ? await stop(command.graceful, paths).catch(() => 1) : 0;
      if (code === 0) code = await startCommand(snapshot, command, paths);
      break;
    default:
      code = await controlCommand(command, paths);
  }
  // -1: this process is now the master and keeps running.
  if (code >= 0) process.exit(code);
}

/**
 * The pid file (and the control socket beside it): `Worker.pidFile`, else
 * one per start file in the temp directory, named after the file and a hash
 * of its full path so two apps never share one (and the unix socket path
 * stays short). The log file likewise, unless `Worker.logFile` is set.
 */
function defaultPaths(startFile: string): Paths {
  const full = resolve(process.argv[1] ?? startFile);
  const tag = createHash('sha1').update(full).digest('hex').slice(0, 10);
  const pidFile = Worker.pidFile || join(tmpdir(), `workerman-ts-${startFile}-${tag}.pid`);
  const logFile = Worker.logFile || pidFile.replace(/\.pid$/, '.log');
  return { startFile, pidFile, logFile, controlSocket: controlSocketPath(pidFile) };
}

/**
 * Stops every worker of this process (`onWorkerStop`, connections closed,
 * timers cancelled), then exits with `code`.
 */
export function stopAll(code: number, workers: readonly Worker[]): Promise<void> {
  stopping ??= (async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    Timer.delAll();
    log('workerman-ts stopped');
    process.exit(code);
  })();
  return stopping;
}
