import { log } from './log.js';

/**
 * Logs callback failures that have no `onError` to go to, without letting
 * one bad client flood the log: a client that makes `onMessage` throw on
 * every message would otherwise write a full stack per message, each one
 * carried to the master and written by it.
 *
 * The first failure of a kind (same callback, same message, same place in
 * the code) is logged in full. Identical ones in the next `interval` are
 * only counted; when the interval is over, one line says how many were left
 * out. Which connection it was is not part of the kind: the point is that
 * many clients, or one, trigger the same bug.
 */

// Kinds tracked at once; past this the oldest is summed up and forgotten.
const MAX_KINDS = 256;

interface Kind {
  callbackName: string;
  message: string;
  since: number;
  suppressed: number;
  lastWhere: string;
}

let intervalMs = 10_000;
const kinds = new Map<string, Kind>();
let sweep: NodeJS.Timeout | null = null;

/** Seconds during which identical failures after the first are only counted (0: log each). */
export function failureLogInterval(): number {
  return intervalMs / 1000;
}

export function setFailureLogInterval(seconds: number): void {
  intervalMs = seconds * 1000;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first line of the stack that is not the message: where it was thrown. */
function thrownAt(error: unknown): string {
  if (!(error instanceof Error) || !error.stack) return '';
  return error.stack.split('\n').find((line) => line.trimStart().startsWith('at ')) ?? '';
}

export function logCallbackFailure(callbackName: string, error: unknown, where: string): void {
  const detail = error instanceof Error && error.stack ? error.stack : String(error);
  if (!(intervalMs > 0)) {
    log(`${callbackName} failed${where}: ${detail}`);
    return;
  }
  const message = messageOf(error);
  const key = `${callbackName}\n${message}\n${thrownAt(error)}`;
  const now = Date.now();
  const known = kinds.get(key);
  if (known && now - known.since < intervalMs) {
    known.suppressed++;
    known.lastWhere = where;
    return;
  }
  if (known) summarize(key, known);
  log(`${callbackName} failed${where}: ${detail}`);
  kinds.set(key, { callbackName, message, since: now, suppressed: 0, lastWhere: where });
  if (kinds.size > MAX_KINDS) {
    const [oldestKey, oldest] = kinds.entries().next().value as [string, Kind];
    summarize(oldestKey, oldest);
  }
  sweep ??= setInterval(sweepEnded, intervalMs).unref();
}

function summarize(key: string, kind: Kind): void {
  kinds.delete(key);
  if (kind.suppressed === 0) return;
  log(
    `${kind.callbackName} failed ${kind.suppressed} more time(s) with the same error, not logged ` +
      `(Worker.failureLogInterval ${intervalMs / 1000} s): ${kind.message}${kind.lastWhere ? `; the last${kind.lastWhere}` : ''}`,
  );
}

function sweepEnded(): void {
  const now = Date.now();
  for (const [key, kind] of kinds) if (now - kind.since >= intervalMs) summarize(key, kind);
  if (kinds.size === 0 && sweep) {
    clearInterval(sweep);
    sweep = null;
  }
}

/** Logs how many failures were left out so far (before the process exits). */
export function flushFailureLog(): void {
  for (const [key, kind] of kinds) summarize(key, kind);
  if (sweep) {
    clearInterval(sweep);
    sweep = null;
  }
}
