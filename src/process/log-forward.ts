import { nodeCluster } from '../builtins.js';
import { setLogSink } from '../log.js';
import type { ChildMessage } from './ipc.js';

let pending = 0;
const flushed: (() => void)[] = [];

/**
 * In a child: log lines go to the master, which writes them to `logFile`
 * (and its stderr). One process writes the file, so rotation is never raced,
 * and a child running as another user (`worker.user`) still logs to a file
 * that root created and the child could not open.
 */
export function logThroughMaster(): void {
  setLogSink((line) => {
    if (!nodeCluster().worker?.isConnected() || process.send === undefined) {
      process.stderr.write(`${line}\n`);
      return;
    }
    pending++;
    const message: ChildMessage = { wm: 'log', line };
    process.send(message, undefined, {}, () => {
      if (--pending === 0) for (const resolve of flushed.splice(0)) resolve();
    });
  });
}

/** Resolves once every line logged so far has been handed to the master (before exiting). */
export function logSent(): Promise<void> {
  if (pending === 0) return Promise.resolve();
  return new Promise((resolve) => flushed.push(resolve));
}
