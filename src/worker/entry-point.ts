import { ErrorCodes, WorkermanError } from '../errors.js';

/**
 * What `Worker.runAll()` runs: the command line and the process manager.
 * They sit above the worker layer (cli/, process/), so the worker cannot
 * import them; the package's entry module installs them instead, and the
 * worker layer stays usable on its own (a worker that only `listen()`s).
 * Generic over the worker type so this module needs no import of Worker.
 */
let entryPoint: ((workers: readonly unknown[]) => Promise<void>) | null = null;

export function installEntryPoint<W>(run: (workers: readonly W[]) => Promise<void>): void {
  entryPoint = run as (workers: readonly unknown[]) => Promise<void>;
}

export function runEntryPoint<W>(workers: readonly W[]): Promise<void> {
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
