import { nodeCluster } from '../builtins.js';
import { invokeLifecycle } from '../callbacks.js';
import { TcpConnection } from '../connection/tcp-connection.js';
import { flushFailureLog } from '../failure-log.js';
import { log } from '../log.js';
import { statistics } from '../statistics.js';
import { Timer } from '../timer/timer.js';
import { Worker } from '../worker/worker.js';
import {
  type ChildMessage,
  type ConnectionRow,
  ENV_DEFINITION,
  ENV_ID,
  isMasterMessage,
  type MasterMessage,
  START_FAILURE_REPORTER,
} from './ipc.js';
import { logSent, logThroughMaster } from './log-forward.js';
import { dropPrivileges } from './privileges.js';

// The master decides; a signal from the terminal (Ctrl-C reaches the whole
// process group) must not stop a child behind the master's back.
const IGNORED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const;

/**
 * A forked child: runs the one Worker definition the master chose (by its
 * index in definition order), with the `id` the master gave, and answers the
 * master's messages. The other definitions of the start file stay inert.
 */
export async function runChild(workers: readonly Worker[]): Promise<void> {
  logThroughMaster();
  const index = Number(process.env[ENV_DEFINITION]);
  const worker = workers[index];
  if (worker === undefined) {
    send({ wm: 'start-failed', message: `no worker definition #${index} in this start file` });
    process.exit(1);
  }
  worker.id = Number(process.env[ENV_ID] ?? 0);
  for (const signal of IGNORED_SIGNALS) process.on(signal, () => {});
  process.on('message', (message) => {
    if (isMasterMessage(message)) void answer(worker, message);
  });
  // The master went away without telling us (kill -9): do not linger.
  process.on('disconnect', () => void stopAndExit(worker, false));
  try {
    dropPrivileges(worker.user, worker.group);
    await worker.run();
  } catch (error) {
    send({ wm: 'start-failed', message: (error as Error).message });
    process.exit(1);
  }
  stopReportingStartFailures();
  send({ wm: 'ready', listen: worker.getSocketName() });
}

/** Ready: an uncaught error from now on is the app's, handled as Node does (see start-failure-report.ts). */
function stopReportingStartFailures(): void {
  const reporter = (globalThis as Record<symbol, unknown>)[START_FAILURE_REPORTER];
  if (typeof reporter === 'function') {
    process.off('uncaughtException', reporter as (error: Error) => void);
  }
}

/**
 * To the master, if it is still there. A write to a master that died
 * meanwhile fails; the callback keeps that from being thrown (the
 * 'disconnect' that follows stops this child).
 */
function send(message: ChildMessage): void {
  if (!nodeCluster().worker?.isConnected()) return;
  process.send?.(message, undefined, {}, ignoreSendFailure);
}

function ignoreSendFailure(): void {}

async function answer(worker: Worker, message: MasterMessage): Promise<void> {
  switch (message.wm) {
    case 'stop':
      if (message.reload) await invokeLifecycle('onWorkerReload', worker.onWorkerReload, worker);
      await stopAndExit(worker, message.graceful);
      return;
    case 'drained':
      drainWaiters.get(message.seq)?.();
      return;
    case 'reload-notice':
      await invokeLifecycle('onWorkerReload', worker.onWorkerReload, worker);
      return;
    case 'status':
      send({
        wm: 'status',
        seq: message.seq,
        figures: {
          pid: process.pid,
          memory: process.memoryUsage().rss,
          listen: worker.getSocketName(),
          worker: worker.name,
          connections: statistics.connectionCount,
          sendFail: statistics.sendFail,
          timers: Timer.count(),
          totalRequest: statistics.totalRequest,
          packetErr: statistics.packetErr,
          timestamp: Math.floor(Date.now() / 1000),
        },
      });
      return;
    case 'connections':
      send({ wm: 'connections', seq: message.seq, rows: connectionRows(worker) });
      return;
  }
}

let exiting: Promise<void> | null = null;

/**
 * Stops the worker and exits. It stops accepting, then asks each
 * connection's codec to wind it down (`onDrain`: HTTP answers what it has
 * received with `Connection: close`). Connections whose codec cannot are
 * closed at once, or with `graceful` left to end on their own. All this is
 * bounded by `Worker.stopTimeout`; then `worker.stop()` closes what is left.
 */
function stopAndExit(worker: Worker, graceful: boolean): Promise<void> {
  exiting ??= (async () => {
    // The whole stop, from here to the last connection, is bounded by stopTimeout.
    const deadline = Date.now() + Worker.stopTimeout * 1000;
    await worker.unlisten();
    await drainHandoffs(deadline);
    for (const connection of [...worker.connections.values()]) {
      if (connection.protocol?.onDrain) drainConnection(connection);
      else if (!graceful) goAway(connection);
    }
    while (worker.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const connection of worker.connections.values()) goAway(connection);
    await worker.stop();
    Timer.delAll();
    flushFailureLog();
    log(`worker[${worker.name}:${process.pid}] exit`);
    // The line goes through the master; a lost channel must not hold the exit.
    await Promise.race([logSent(), new Promise((resolve) => setTimeout(resolve, 1000))]);
    process.exit(0);
  })();
  return exiting;
}

function drainConnection(connection: TcpConnection): void {
  try {
    connection.protocol?.onDrain?.(connection);
  } catch (error) {
    log(`codec onDrain failed on ${connection.describe()}: ${(error as Error).message}`);
    connection.close();
  }
}

/**
 * Closes now, in the codec's words where it has them (a WebSocket peer gets
 * 1001 Going Away and may reconnect at once); other connections just close.
 */
function goAway(connection: TcpConnection): void {
  const codec = connection.protocol;
  if (codec?.onGoingAway === undefined) {
    connection.close();
    return;
  }
  try {
    codec.onGoingAway(connection);
  } catch (error) {
    log(`codec onGoingAway failed on ${connection.describe()}: ${(error as Error).message}`);
    connection.close();
  }
}

let drainSeq = 0;
const drainWaiters = new Map<number, () => void>();

/**
 * With round-robin scheduling the master accepts and hands connections over
 * the IPC channel. Closing our listener tells the master to stop (cluster's
 * own 'close' message), but a hand-over already sent may still be on the
 * way; a child that exited then would leave that client hanging in the
 * master forever. The channel is ordered, so once the master answers a
 * message sent after the close, every earlier hand-over has arrived (and
 * was refused back to the master, which gives it to another child).
 */
function drainHandoffs(deadline: number): Promise<void> {
  if (!nodeCluster().worker?.isConnected()) return Promise.resolve();
  const seq = ++drainSeq;
  return new Promise((resolve) => {
    // A master that hangs never answers: it is waited for until the deadline
    // only. One that died has no hand-over left to give, so the channel
    // closing ends the wait too (node:cluster also exits a child then).
    const done = () => {
      clearTimeout(timer);
      process.off('disconnect', done);
      drainWaiters.delete(seq);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    process.once('disconnect', done);
    drainWaiters.set(seq, done);
    send({ wm: 'drain', seq });
  });
}

function connectionRows(worker: Worker): ConnectionRow[] {
  const protocol = worker.getSocketName().split('://')[0] ?? '';
  const rows: ConnectionRow[] = [];
  for (const connection of worker.connections.values()) {
    if (!(connection instanceof TcpConnection)) continue;
    rows.push({
      pid: process.pid,
      worker: worker.name,
      id: connection.id,
      transport: connection.transport,
      protocol,
      ipv4: connection.isIpV4(),
      recvQueue: connection.getRecvBufferQueueSize(),
      sendQueue: connection.getSendBufferQueueSize(),
      bytesRead: connection.bytesRead,
      bytesWritten: connection.bytesWritten,
      status: connection.getStatus(false),
      local: connection.getLocalAddress(),
      remote: connection.getRemoteAddress(),
    });
  }
  return rows;
}
