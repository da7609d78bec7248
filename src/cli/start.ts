import type { Server } from 'node:net';
import { log } from '../log.js';
import { askMaster } from '../process/control-client.js';
import { type ControlRequest, openControlSocket } from '../process/control-socket.js';
import { isDaemon, launchDaemon, reportToLauncher } from '../process/daemonize.js';
import { monitorFiles } from '../process/file-monitor.js';
import {
  chooseSchedulingPolicy,
  removeStaleUnixSockets,
  reusePortFallbacks,
} from '../process/listen-sharing.js';
import { flushLog, logToFile } from '../process/log-file.js';
import { Master } from '../process/master.js';
import { isAlive, readPidFile, removePidFile, writePidFile } from '../process/pid-file.js';
import { privilegeWarnings } from '../process/privileges.js';
import { installMasterSignals } from '../process/signals.js';
import { VERSION } from '../version.js';
import { Worker } from '../worker/worker.js';
import type { Command } from './parse-command.js';
import type { Paths } from './paths.js';

export type { Paths } from './paths.js';

/** Is a master answering on the control socket? */
export async function isRunning(paths: Paths): Promise<boolean> {
  if (!isAlive(readPidFile(paths.pidFile))) return false;
  try {
    await askMaster(paths.controlSocket, { cmd: 'status' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `start [-d]`: refuses when a master already runs; with `-d` (or
 * `Worker.daemonize`) launches a detached master and returns once it is
 * ready; otherwise becomes the master in the foreground. Returns the exit
 * code for the launcher; a master returns only when it fails to start.
 */
export async function startCommand(
  workers: readonly Worker[],
  command: Command,
  paths: Paths,
): Promise<number> {
  const daemon = command.daemon || Worker.daemonize;
  if (!isDaemon() && (await isRunning(paths))) {
    process.stderr.write(`workerman-ts[${paths.startFile}] already running\n`);
    return 1;
  }
  if (daemon && !isDaemon()) {
    const report = await launchDaemon(Worker.stdoutFile);
    if (report.daemon === 'failed') {
      process.stderr.write(`workerman-ts[${paths.startFile}] start failed: ${report.message}\n`);
      return 1;
    }
    if (!command.quiet) {
      process.stdout.write(
        `workerman-ts[${paths.startFile}] started as a daemon (master pid ${report.pid})\n`,
      );
    }
    return 0;
  }
  return runMaster(workers, command, paths, daemon);
}

async function runMaster(
  workers: readonly Worker[],
  command: Command,
  paths: Paths,
  daemon: boolean,
): Promise<number> {
  logToFile(paths.logFile, Worker.logFileMaxSize, Worker.logQueueMaxLines);
  const policy = chooseSchedulingPolicy();
  await removeStaleUnixSockets(workers);
  for (const fallback of reusePortFallbacks(workers)) log(fallback);
  for (const warning of privilegeWarnings(workers, process.getuid?.() ?? 0)) log(warning);
  const master = new Master(workers);
  let stopMonitor = () => {};
  let control: Server | null = null;
  // Everything this master leaves on disk, removed on every way out.
  const cleanUp = () => {
    stopMonitor();
    control?.close();
    removePidFile(paths.pidFile);
    removePidFile(paths.controlSocket);
  };
  const finish = () => {
    cleanUp();
    void flushLog().then(() => process.exit(0));
  };
  try {
    if (Worker.fileMonitor.length > 0) {
      stopMonitor = monitorFiles(Worker.fileMonitor, (file) => {
        if (master.stopping) return;
        log(`${file} changed: reloading`);
        void master.reload(false);
      });
    }
    writePidFile(paths.pidFile);
    control = await openControlSocket(paths.controlSocket, (request) =>
      answerControl(master, request, finish),
    );
    installMasterSignals(master, daemon, finish);
    await master.start();
  } catch (error) {
    const message = (error as Error).message;
    log(`start failed: ${message}`);
    await master.stop(false);
    cleanUp();
    await flushLog();
    if (daemon) reportToLauncher({ daemon: 'failed', message });
    else process.stderr.write(`${message}\n`);
    return 1;
  }
  log(`workerman-ts ${VERSION} started: ${workers.length} worker(s), policy ${policy}`);
  if (daemon) {
    reportToLauncher({ daemon: 'ready', pid: process.pid });
  } else if (!command.quiet) {
    const rows = workers
      .map((w) => `  ${w.name.padEnd(16)} ${w.getSocketName().padEnd(28)} ${w.count}`)
      .join('\n');
    process.stdout.write(
      `workerman-ts ${VERSION}  Node ${process.version}  master pid ${process.pid}\n` +
        `  ${'worker'.padEnd(16)} ${'listen'.padEnd(28)} processes\n${rows}\n` +
        'Press Ctrl+C to stop. Start success.\n',
    );
  }
  return -1;
}

/** One control-socket request (see control-socket.ts for the replies). */
async function answerControl(
  master: Master,
  request: ControlRequest,
  finish: () => void,
): Promise<Record<string, unknown>> {
  switch (request.cmd) {
    case 'status':
      return { status: await master.status() };
    case 'connections':
      return { connections: await master.connections() };
    case 'reload': {
      const { replaced, failures } = await master.reload(request.graceful);
      if (failures.length === 0) return { replaced };
      // The operator must learn that the new code does not run, and why.
      return {
        ok: false,
        replaced,
        error: `${failures.length} process(es) could not start the new code (${replaced} replaced): ${failures.join('; ')}`,
      };
    }
    case 'stop':
      void master.stop(request.graceful).then(finish);
      return {};
  }
}
