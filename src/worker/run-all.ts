import cluster from 'node:cluster';
import { basename } from 'node:path';
import { controlCommand, stop } from '../cli/commands.js';
import { parseCommand, usage } from '../cli/parse-command.js';
import { startFilePaths } from '../cli/paths.js';
import { isRunning, type Paths, startCommand } from '../cli/start.js';
import { log } from '../log.js';
import { runChild } from '../process/child.js';
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

/** The start file's pid, control socket and log paths, unless `Worker.pidFile` / `logFile` say otherwise. */
function defaultPaths(startFile: string): Paths {
  return startFilePaths(process.argv[1] ?? startFile, Worker.pidFile, Worker.logFile);
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
