import { reportCallbackFailure } from '../callbacks.js';
import { ErrorCodes, WorkermanError } from '../errors.js';

type TimerCallback<Args extends unknown[]> = (...args: Args) => unknown;

const timers = new Map<number, NodeJS.Timeout>();
let nextTimerId = 1;

function checkInterval(seconds: number, method: string): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `Timer.${method}: interval must be a finite number of seconds >= 0, got ${String(seconds)}`,
    );
  }
  return seconds * 1000;
}

function run<Args extends unknown[]>(callback: TimerCallback<Args>, args: Args): void {
  try {
    const result = callback(...args);
    if (result instanceof Promise) {
      result.then(undefined, (error: unknown) => reportCallbackFailure(null, 'timer', error));
    }
  } catch (error) {
    reportCallbackFailure(null, 'timer', error);
  }
}

/**
 * Timers per process, in seconds (fractions allowed), as the origin's
 * `Timer`. A timer runs in the process that added it: with `count = 4` the
 * callback runs in each of the four. A throwing callback is reported and the
 * timer goes on.
 */
export const Timer = {
  /**
   * Runs `callback(...args)` every `seconds` (once when `persistent` is false).
   * Returns the id for `Timer.del`.
   */
  add<Args extends unknown[]>(
    seconds: number,
    callback: TimerCallback<Args>,
    args?: Args,
    persistent = true,
  ): number {
    const ms = checkInterval(seconds, 'add');
    if (typeof callback !== 'function') {
      throw new WorkermanError(ErrorCodes.INVALID_OPTION, 'Timer.add: callback must be a function');
    }
    const id = nextTimerId++;
    const callArgs = (args ?? []) as Args;
    if (persistent) {
      timers.set(
        id,
        setInterval(() => run(callback, callArgs), ms),
      );
    } else {
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          run(callback, callArgs);
        }, ms),
      );
    }
    return id;
  },

  /** Every `seconds`, like `add(seconds, callback, args, true)`. */
  repeat<Args extends unknown[]>(
    seconds: number,
    callback: TimerCallback<Args>,
    args?: Args,
  ): number {
    return Timer.add(seconds, callback, args, true);
  },

  /** Once after `seconds`, like `add(seconds, callback, args, false)`. */
  delay<Args extends unknown[]>(
    seconds: number,
    callback: TimerCallback<Args>,
    args?: Args,
  ): number {
    return Timer.add(seconds, callback, args, false);
  },

  /** Cancels a timer; false when there was none with this id (already run or deleted). */
  del(id: number): boolean {
    const handle = timers.get(id);
    if (handle === undefined) return false;
    clearTimeout(handle);
    timers.delete(id);
    return true;
  },

  /** Cancels every timer of this process. */
  delAll(): void {
    for (const handle of timers.values()) clearTimeout(handle);
    timers.clear();
  },

  /** Live timers in this process (the status table's `timers`). */
  count(): number {
    return timers.size;
  },

  /** Resolves after `seconds`, for `await Timer.sleep(0.5)`. */
  sleep(seconds: number): Promise<void> {
    const ms = checkInterval(seconds, 'sleep');
    return new Promise((resolve) => setTimeout(resolve, ms));
  },
};
