import type { ChildFigures } from './ipc.js';

/** One child in the status report; a busy child did not answer in time. */
export type ChildStatus =
  | (ChildFigures & { id: number; qps: number; busy: false })
  | { pid: number; id: number; worker: string; listen: string; busy: true };

/**
 * What `status --json` prints and the status table is drawn from: the
 * master's global figures and one entry per child. Data only; no formatting.
 */
export interface StatusReport {
  version: string;
  node: string;
  masterPid: number;
  /** Epoch milliseconds. */
  startedAt: number;
  /** Seconds. */
  uptime: number;
  loadavg: number[];
  eventLoop: string;
  /** Worker definitions. */
  workers: number;
  /** Child processes. */
  processes: number;
  /** `Worker.stopTimeout` of the running app, seconds (how long a stop may take). */
  stopTimeout: number;
  /** worker name -> exit status (code or signal name) -> count. */
  exitStatus: Record<string, Record<string, number>>;
  children: ChildStatus[];
}
