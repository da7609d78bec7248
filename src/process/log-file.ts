import { appendFileSync, renameSync, statSync } from 'node:fs';
import { setLogSink } from '../log.js';

/**
 * Sends framework log lines to `path` as well as to stderr (which a daemon
 * has pointed at `stdoutFile`). Past `maxSize` bytes the file moves to
 * `<path>.1` and a new one begins (0: never rotate). Appends are
 * synchronous: log lines are rare (start, stop, reload, crash) and must not be
 * lost when the process exits right after.
 */
export function logToFile(path: string, maxSize: number): void {
  setLogSink((line) => {
    process.stderr.write(`${line}\n`);
    try {
      if (maxSize > 0 && statSize(path) > maxSize) renameSync(path, `${path}.1`);
      appendFileSync(path, `${line}\n`);
    } catch {
      // An unwritable log must not stop the server; stderr still has the line.
    }
  });
}

function statSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
