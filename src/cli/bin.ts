#!/usr/bin/env node
/**
 * `workerman-ts <verb> <start file>`: the verbs that only talk to a running
 * master (`status`, `stop`, `reload`, `connections`), without loading the
 * app (nor tsx for a TypeScript one). The master is found as the start file
 * finds it: its pid file and control socket, named after the start file's
 * full path, or the pid file given with `--pid-file` (when the app sets
 * `Worker.pidFile`). Starting runs the app itself: `node app.js start`.
 */
import { askMaster } from '../process/control-client.js';
import type { StatusReport } from '../process/status.js';
import { Worker } from '../worker/worker.js';
import { controlCommand } from './commands.js';
import { parseCommand } from './parse-command.js';
import { startFilePaths } from './paths.js';

const VERBS = ['status', 'stop', 'reload', 'connections'];

const USAGE = `Usage: workerman-ts <command> <start file> [mode] [--pid-file <path>]
Commands (to the running master of that start file):
  status        Show the status. Use mode -d for a live view, --json for data.
  stop          Stop. Use mode -g to stop gracefully.
  reload        Reload code. Use mode -g to reload gracefully.
  connections   Show the connections of every process (--json for data).
Start, restart: run the app itself, e.g. \`node app.js start -d\`.
--pid-file: the app's Worker.pidFile, when it sets one.`;

/** The exit code; 64 (EX_USAGE) for a command line it cannot use. */
async function main(args: readonly string[]): Promise<number> {
  const pidFileAt = args.indexOf('--pid-file');
  const pidFile = pidFileAt === -1 ? '' : (args[pidFileAt + 1] ?? '');
  const rest =
    pidFileAt === -1 ? args : args.filter((_, i) => i !== pidFileAt && i !== pidFileAt + 1);
  const command = parseCommand(rest);
  const startFile = rest.find((arg) => !arg.startsWith('-') && !VERBS.includes(arg));
  if (
    command === null ||
    !VERBS.includes(command.verb) ||
    startFile === undefined ||
    (pidFileAt !== -1 && pidFile === '')
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const paths = startFilePaths(startFile, pidFile);
  if (command.verb === 'stop') {
    // `stop` waits as long as the app's own stop may take.
    try {
      const reply = await askMaster(paths.controlSocket, { cmd: 'status' });
      const report = reply.status as Partial<StatusReport>;
      if (typeof report.stopTimeout === 'number') Worker.stopTimeout = report.stopTimeout;
    } catch {
      // Not running, or not answering: `controlCommand` says so.
    }
  }
  return controlCommand(command, paths);
}

process.exitCode = await main(process.argv.slice(2));
