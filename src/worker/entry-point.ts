import { ErrorCodes, WorkermanError } from '../errors.js';
import type { Worker } from './worker.js';

/**
 * What `Worker.runAll()` runs: the command line and the process manager.
 * They sit above the worker layer (cli/, process/), so the worker cannot
 * import them; the package's entry module installs them instead, and the
 * worker layer stays usable on its own (a worker that only `listen()`s).
 */
export type EntryPoint = (workers: readonly Worker[]) => Promise<void>;

let entryPoint: EntryPoint | null = null;

export function installEntryPoint(run: EntryPoint): void {
  entryPoint = run;
}

export function runEntryPoint(workers: readonly Worker[]): Promise<void> {
  if (entryPoint === null) {
    return Promise.reject(
      new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        "Worker.runAll(): no command line is installed; import Worker from 'workerman-ts' (the package entry installs it)",
      ),
    );
  }
  return entryPoint(workers);
}
