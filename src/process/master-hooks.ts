import { log } from '../log.js';
import { Worker } from '../worker/worker.js';

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/**
 * Runs `Worker.onMasterReload` or `Worker.onMasterStop` so that neither a
 * throw nor a rejected promise can end the master (it supervises every
 * child; an unhandled rejection would take them all down). Waits for the
 * hook at most `Worker.stopTimeout` seconds: a hook that never settles must
 * not hold a reload or a stop for ever. Failures and overruns are logged.
 */
export async function runMasterHook(
  name: 'onMasterReload' | 'onMasterStop',
  hook: (() => void | Promise<void>) | null,
): Promise<void> {
  if (!hook) return;
  const limitMs = Worker.stopTimeout * 1000;
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<'overrun'>((resolve) => {
    timer = setTimeout(() => resolve('overrun'), limitMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(hook), overrun]);
    if (outcome === 'overrun') {
      log(`${name} did not finish within ${Worker.stopTimeout} s (Worker.stopTimeout); going on`);
    }
  } catch (error) {
    log(`${name} failed: ${messageOf(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tells `Worker.onWorkerExit` that a child exited. Not awaited (the master
 * restarts the child meanwhile), but a throw or a rejection is logged, never
 * left unhandled.
 */
export function notifyWorkerExit(worker: Worker, status: string, pid: number): void {
  const hook = Worker.onWorkerExit;
  if (!hook) return;
  const fail = (error: unknown) => log(`onWorkerExit failed: ${messageOf(error)}`);
  try {
    const result: unknown = hook(worker, status, pid);
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      Promise.resolve(result).catch(fail);
    }
  } catch (error) {
    fail(error);
  }
}
