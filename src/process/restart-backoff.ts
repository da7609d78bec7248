/**
 * How long the master waits before it forks again for a place whose child
 * died: at once after a crash, doubling from 200 ms up to 10 s while the
 * child keeps dying before it is ready or soon after. Counted from ready, not
 * from the fork: loading the app may itself take longer than QUICK_CRASH_MS.
 */

// A child that dies sooner than this after it was ready counts as crashing in a loop.
export const QUICK_CRASH_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;

/** What the backoff remembers of one place. */
export interface CrashHistory {
  /** When its child became ready; 0 while it is starting. */
  startedAt: number;
  /** Consecutive crashes soon after start. */
  quickCrashes: number;
}

/** Counts this crash into `history` and returns the delay before the next fork (ms). */
export function nextRestartDelay(history: CrashHistory, now = Date.now()): number {
  const quick = history.startedAt === 0 || now - history.startedAt < QUICK_CRASH_MS;
  history.quickCrashes = quick ? history.quickCrashes + 1 : 0;
  return history.quickCrashes === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 100 * 2 ** history.quickCrashes);
}
