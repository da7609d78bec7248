import { askMaster, NotRunningError } from '../process/control-client.js';
import type { ConnectionRow } from '../process/ipc.js';
import { isAlive, readPidFile } from '../process/pid-file.js';
import type { StatusReport } from '../process/status.js';
import { Worker } from '../worker/worker.js';
import type { Command } from './parse-command.js';
import { renderConnections, renderStatus } from './render-status.js';
import type { Paths } from './start.js';

const { setTimeout: sleep } = process.getBuiltinModule('node:timers/promises');

// How often `stop` looks whether the master is gone (the origin polls at 10 ms).
const STOP_POLL_MS = 20;
// Beyond stopTimeout, how long `stop` waits before it says the stop failed.
const STOP_GRACE_S = 5;

function notRunning(paths: Paths): number {
  process.stderr.write(`workerman-ts[${paths.startFile}] not run\n`);
  return 1;
}

/** `status`, `status -d`, `connections`, `reload [-g]`, `stop [-g]`: talk to the master. Returns the exit code. */
export async function controlCommand(command: Command, paths: Paths): Promise<number> {
  try {
    switch (command.verb) {
      case 'status':
        return await status(command, paths);
      case 'connections': {
        const reply = await askMaster(paths.controlSocket, { cmd: 'connections' });
        const rows = reply.connections as ConnectionRow[];
        process.stdout.write(`${command.json ? JSON.stringify(rows) : renderConnections(rows)}\n`);
        return 0;
      }
      case 'reload': {
        const reply = await askMaster(paths.controlSocket, {
          cmd: 'reload',
          graceful: command.graceful,
        });
        process.stdout.write(
          `workerman-ts[${paths.startFile}] reload done: ${reply.replaced} process(es) replaced\n`,
        );
        return 0;
      }
      case 'stop':
        return await stop(command.graceful, paths);
      default:
        return 64;
    }
  } catch (error) {
    if (error instanceof NotRunningError) return notRunning(paths);
    process.stderr.write(
      `workerman-ts[${paths.startFile}] ${command.verb} failed: ${(error as Error).message}\n`,
    );
    return 1;
  }
}

async function status(command: Command, paths: Paths): Promise<number> {
  for (;;) {
    const reply = await askMaster(paths.controlSocket, { cmd: 'status' });
    const report = reply.status as StatusReport;
    if (command.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    if (!command.daemon) {
      process.stdout.write(`${renderStatus(report)}\n`);
      return 0;
    }
    // Live view: clear the screen and redraw each second until Ctrl-C.
    process.stdout.write(`\x1b[2J\x1b[H${renderStatus(report)}\nPress Ctrl+C to quit.\n`);
    await sleep(1000);
  }
}

/** Asks the master to stop, then waits for its pid to disappear. */
export async function stop(graceful: boolean, paths: Paths): Promise<number> {
  const pid = readPidFile(paths.pidFile);
  await askMaster(paths.controlSocket, { cmd: 'stop', graceful });
  process.stdout.write(`workerman-ts[${paths.startFile}] is stopping ...\n`);
  const deadline = Date.now() + (Worker.stopTimeout + STOP_GRACE_S) * 1000;
  while (isAlive(pid)) {
    if (!graceful && Date.now() > deadline) {
      process.stderr.write(`workerman-ts[${paths.startFile}] stop fail\n`);
      return 1;
    }
    await sleep(STOP_POLL_MS);
  }
  process.stdout.write(`workerman-ts[${paths.startFile}] stop success\n`);
  return 0;
}
