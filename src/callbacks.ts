import { CALLBACK_FAIL, ErrorCodes, WorkermanError } from './errors.js';
import { logCallbackFailure } from './failure-log.js';
import { statistics } from './statistics.js';

/**
 * A user callback. Written as a method type on purpose: method parameters are
 * checked bivariantly, so a callback typed for a subclass (`this`) stays
 * assignable where its base class is expected.
 */
export type Callback<Args extends unknown[]> = { bivariant(...args: Args): unknown }['bivariant'];

/**
 * What a failure is reported to: a connection, as far as reporting needs it
 * (its description for the message, and its `onError`). Kept structural so
 * that every layer can report through it without knowing connections.
 */
export interface FailureTarget {
  describe(): string;
  /** Takes the target itself; `never` here so that any connection's own handler fits. */
  readonly onError: ErrorHandler<never> | null;
}

/** `onError(connection, code, message, error)`, as reporting calls it. */
export type ErrorHandler<C> = (
  connection: C,
  code: number,
  message: string,
  error: WorkermanError,
) => unknown;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reports a throw or rejection from user code: to the connection's `onError`
 * when there is one (code `CALLBACK_FAIL`, `WM_ERR_CALLBACK_FAILED`),
 * otherwise to the log. The process always goes on.
 */
export function reportCallbackFailure(
  connection: FailureTarget | null,
  callbackName: string,
  error: unknown,
): void {
  statistics.throwException++;
  const where = connection ? ` on ${connection.describe()}` : '';
  const wrapped = new WorkermanError(
    ErrorCodes.CALLBACK_FAILED,
    `${callbackName} failed${where}: ${messageOf(error)}`,
    { cause: error },
  );
  const onError = connection?.onError;
  if (connection && onError && callbackName !== 'onError') {
    invokeErrorCallback(connection, onError, CALLBACK_FAIL, wrapped);
    return;
  }
  logFailure(callbackName, error, where);
}

function logFailure(callbackName: string, error: unknown, where = ''): void {
  logCallbackFailure(callbackName, error, where);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Calls a user callback so that neither a throw nor a rejected promise can
 * escape: both go to `reportCallbackFailure`. Synchronous callbacks cost one
 * try/catch; only a returned promise gets a rejection handler.
 */
export function invokeCallback<A, B>(
  connection: FailureTarget | null,
  callbackName: string,
  callback: (a: A, b: B) => unknown,
  a: A,
  b: B,
): void {
  let result: unknown;
  try {
    result = callback(a, b);
  } catch (error) {
    reportCallbackFailure(connection, callbackName, error);
    return;
  }
  if (result !== undefined && isThenable(result)) {
    result.then(undefined, (error: unknown) =>
      reportCallbackFailure(connection, callbackName, error),
    );
  }
}

/**
 * Calls `onError(connection, code, message, error)`; a failure of `onError`
 * itself is logged. `onError` is the connection's own handler (typed `never`
 * for its argument, see FailureTarget), called with that connection.
 */
export function invokeErrorCallback<C extends FailureTarget>(
  connection: C,
  onError: ErrorHandler<never>,
  code: number,
  error: WorkermanError,
): void {
  try {
    const result = (onError as ErrorHandler<C>)(connection, code, error.message, error);
    if (result !== undefined && isThenable(result)) {
      result.then(undefined, (e: unknown) => logFailure('onError', e));
    }
  } catch (inner) {
    logFailure('onError', inner);
  }
}

/** Like `invokeCallback`, but waits for a returned promise (lifecycle callbacks). */
export async function invokeLifecycle<A>(
  callbackName: string,
  callback: ((a: A) => unknown) | null | undefined,
  a: A,
): Promise<void> {
  if (!callback) return;
  try {
    await callback(a);
  } catch (error) {
    reportCallbackFailure(null, callbackName, error);
  }
}
