import { flushFailureLog } from '../failure-log.js';
import { log } from '../log.js';
import { Timer } from '../timer/timer.js';

let stopping: Promise<void> | null = null;

/**
 * Stops every worker of this process (`onWorkerStop`, connections closed,
 * timers cancelled), then exits with `code`.
 */
export function stopAll(
  code: number,
  workers: readonly { stop(): Promise<void> }[],
): Promise<void> {
  stopping ??= (async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    Timer.delAll();
    flushFailureLog();
    log('workerman-ts stopped');
    process.exit(code);
  })();
  return stopping;
}
