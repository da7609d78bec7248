/**
 * Master <-> child messages over the cluster IPC channel, as one
 * discriminated union per direction. Requests that need an answer carry a
 * `seq`; the reply echoes it, so several requests can be in flight at once
 * (the same idea as node's own cluster `seq`/`ack`).
 */

/** One connection as the `connections` command lists it. */
export interface ConnectionRow {
  pid: number;
  worker: string;
  id: number;
  transport: string;
  protocol: string;
  ipv4: boolean;
  recvQueue: number;
  sendQueue: number;
  bytesRead: number;
  bytesWritten: number;
  status: string;
  local: string;
  remote: string;
}

/** What a child reports about itself for the status table. */
export interface ChildFigures {
  pid: number;
  memory: number;
  listen: string;
  worker: string;
  connections: number;
  sendFail: number;
  timers: number;
  totalRequest: number;
  /** Input rejected by a codec or a size limit (`packet_err`). */
  packetErr: number;
  /** When the child answered: epoch seconds (the origin's `timestamp` column). */
  timestamp: number;
}

export type MasterMessage =
  | { wm: 'stop'; graceful: boolean; reload: boolean }
  | { wm: 'reload-notice' }
  | { wm: 'drained'; seq: number }
  | { wm: 'status'; seq: number }
  | { wm: 'connections'; seq: number };

export type ChildMessage =
  | { wm: 'ready'; listen: string }
  | { wm: 'start-failed'; message: string }
  | { wm: 'drain'; seq: number }
  | { wm: 'log'; line: string }
  | { wm: 'status'; seq: number; figures: ChildFigures }
  | { wm: 'connections'; seq: number; rows: ConnectionRow[] };

/** Our messages carry a `wm` tag; anything else on the channel is the app's own. */
export function isChildMessage(message: unknown): message is ChildMessage {
  return typeof message === 'object' && message !== null && 'wm' in message;
}

export function isMasterMessage(message: unknown): message is MasterMessage {
  return typeof message === 'object' && message !== null && 'wm' in message;
}

/** Environment variables that tell a forked process which definition it runs. */
export const ENV_DEFINITION = 'WORKERMAN_TS_DEFINITION';
export const ENV_ID = 'WORKERMAN_TS_ID';
/** Set in the detached master of `start -d`. */
export const ENV_DAEMON = 'WORKERMAN_TS_DAEMON';

/**
 * Where `start-failure-report.ts` leaves its 'uncaughtException' listener,
 * so the child can remove it once ready.
 */
export const START_FAILURE_REPORTER = Symbol.for('workerman-ts.startFailureReporter');
