import { log } from '../log.js';
import { askMaster } from '../process/control-client.js';
import { openControlSocket } from '../process/control-socket.js';
import { isDaemon, launchDaemon, reportToLauncher } from '../process/daemonize.js';
import { monitorFiles } from '../process/file-monitor.js';
import { chooseSchedulingPolicy, supportsReusePort } from '../process/listen-sharing.js';
import { logToFile } from '../process/log-file.js';
import { Master } from '../process/master.js';
import { isAlive, readPidFile, removePidFile, writePidFile } from '../process/pid-file.js';
import { privilegeWarnings } from '../process/privileges.js';
import { installMasterSignals } from '../process/signals.js';
import { VERSION } from '../version.js';
import { Worker } from '../worker/worker.js';
import type { Command } from './parse-command.js';

export interface Paths {
  startFile: string;
  pidFile: string;
  logFile: string;
  controlSocket: string;
}

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
  logToFile(paths.logFile, Worker.logFileMaxSize);
  const policy = chooseSchedulingPolicy();
  if (workers.some((w) => w.reusePort) && !supportsReusePort()) {
    log(
      `reusePort needs Node 22.12+; ${process.version} shares the socket through node:cluster instead`,
    );
  }
  for (const warning of privilegeWarnings(workers, process.getuid?.() ?? 0)) log(warning);
  const master = new Master(workers);
  writePidFile(paths.pidFile);
  const control = await openControlSocket(paths.controlSocket, async (request) => {
    switch (request.cmd) {
      case 'status':
        return { status: await master.status() };
      case 'connections':
        return { connections: await master.connections() };
      case 'reload':
        return { replaced: await master.reload(request.graceful) };
      case 'stop':
        void master.stop(request.graceful).then(finish);
        return {};
    }
  });
  const finish = () => {
    control.close();
    removePidFile(paths.pidFile);
    removePidFile(paths.controlSocket);
    process.exit(0);
  };
  installMasterSignals(master, daemon, finish);
  if (Worker.fileMonitor.length > 0) {
    monitorFiles(Worker.fileMonitor, (file) => {
      if (master.stopping) return;
      log(`${file} changed: reloading`);
      void master.reload(false);
    });
  }
  try {
    await master.start();
  } catch (error) {
    const message = (error as Error).message;
    log(`start failed: ${message}`);
    await master.stop(false);
    control.close();
    removePidFile(paths.pidFile);
    removePidFile(paths.controlSocket);
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
