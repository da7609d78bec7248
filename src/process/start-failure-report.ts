/**
 * Loaded with `--import` into every child the master forks, before the start
 * file. Code that cannot start (a syntax error, a failed import, a throw at
 * the top of the start file) dies before any of ours runs; this tells the
 * master why, so `reload` can say it instead of "exited with 1". Node
 * reports such errors, and unhandled rejections, as 'uncaughtException'.
 * Once the child is ready, `child.ts` removes the listener and Node's own
 * handling applies again.
 */
import { type ChildMessage, START_FAILURE_REPORTER } from './ipc.js';

// The part of an error the master passes on: the message and where it was thrown.
const MAX_REPORT_CHARS = 2000;
const MAX_REPORT_LINES = 6;

function reportStartFailure(error: unknown): void {
  // With a listener of the app's own, the app decides what an error means.
  if (process.listenerCount('uncaughtException') > 1) return;
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  // Printed as Node would have, for the daemon's output file.
  process.stderr.write(`${text}\n`);
  // Node's own frames (the module loader) say nothing about the app.
  const message = text
    .split('\n')
    .filter((line) => !/^\s+at .*\(?node:/.test(line))
    .slice(0, MAX_REPORT_LINES)
    .join('\n')
    .slice(0, MAX_REPORT_CHARS);
  const report: ChildMessage = { wm: 'start-failed', message };
  process.exitCode = 1;
  if (process.connected && process.send) {
    // Exit once the report is written, or at once if it cannot be.
    process.send(report, undefined, {}, () => process.exit(1));
  } else {
    process.exit(1);
  }
}

process.on('uncaughtException', reportStartFailure);
(globalThis as Record<symbol, unknown>)[START_FAILURE_REPORTER] = reportStartFailure;
