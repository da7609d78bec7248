import { nodeCluster } from '../builtins.js';
import { WorkermanError } from '../errors.js';
import { runChild } from '../process/child.js';
import { validateOptions } from '../process/validate-options.js';
import type { Worker } from '../worker/worker.js';
import { controlCommand, stop } from './commands.js';
import { parseCommand, usage } from './parse-command.js';
import { type Paths, resolvePaths } from './paths.js';
import { isRunning, startCommand } from './start.js';

const { basename } = process.getBuiltinModule('node:path');

/**
 * `Worker.runAll()`: in a child forked by the master, runs that child's one
 * worker; otherwise reads the command line (`start [-d]`, `stop [-g]`,
 * `restart`, `reload [-g]`, `status [-d]`, `connections`) and either becomes
 * the master or asks the running one through its control socket.
 */
export async function runAll(workers: readonly Worker[]): Promise<void> {
  if (nodeCluster().isWorker) return runChild(workers);
  const startFile = basename(process.argv[1] ?? 'app.js');
  const command = parseCommand(process.argv.slice(2));
  if (command === null) {
    process.stdout.write(`${usage(startFile)}\n`);
    process.exit(64);
  }
  const snapshot = [...workers];
  const starting = command.verb === 'start' || command.verb === 'restart';
  let paths: Paths;
  try {
    paths = resolvePaths(startFile, starting);
    // Before anything is stopped, written or forked.
    if (starting) validateOptions(snapshot, paths.controlSocket);
  } catch (error) {
    const code = error instanceof WorkermanError ? ` (${error.code})` : '';
    process.stderr.write(
      `workerman-ts[${startFile}] ${command.verb} failed: ${(error as Error).message}${code}\n`,
    );
    process.exit(1);
  }
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
