import { ErrorCodes, WorkermanError } from '../errors.js';
import {
  type JsonValue,
  type SetOptions,
  type Store,
  type StoreDriver,
  type StoreLimits,
  storeDefaults,
} from './store.js';

/**
 * What every driver shares: the checks of keys, values, expiry and
 * counters, the JSON text values are kept as, the key prefix and the closed
 * state. A driver sees only checked, prefixed keys and JSON text, so the
 * three behave alike at their limits.
 */
export abstract class KeyValueStore implements Store {
  abstract readonly driver: StoreDriver;
  readonly prefix: string;
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  #closed = false;

  constructor(options: StoreLimits) {
    this.prefix = options.prefix ?? '';
    if (typeof this.prefix !== 'string') {
      throw new WorkermanError(ErrorCodes.INVALID_OPTION, 'store prefix must be a string');
    }
    this.maxKeyBytes = positiveInteger(
      'maxKeyBytes',
      options.maxKeyBytes ?? storeDefaults.maxKeyBytes,
    );
    this.maxValueBytes = positiveInteger(
      'maxValueBytes',
      options.maxValueBytes ?? storeDefaults.maxValueBytes,
    );
  }

  async get(key: string): Promise<JsonValue | undefined> {
    const text = await this.readText(this.#key(key));
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new WorkermanError(
        ErrorCodes.STORE_BAD_VALUE,
        `${this.driver} store: the value under "${key}" is not JSON (written by something else?)`,
        { cause: error },
      );
    }
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    const fullKey = this.#key(key);
    await this.writeText(fullKey, this.#encode(key, value), ttlOf(options));
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteKey(this.#key(key));
  }

  async increment(key: string, by = 1): Promise<number> {
    const fullKey = this.#key(key);
    if (!Number.isSafeInteger(by)) {
      throw new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        `increment by ${by}: an integer is needed`,
      );
    }
    const result = await this.incrementKey(fullKey, by);
    if (!Number.isSafeInteger(result)) throw notACounter(this.driver, key);
    return result;
  }

  async compareAndSet(
    key: string,
    expected: unknown,
    next: unknown,
    options: SetOptions = {},
  ): Promise<boolean> {
    const fullKey = this.#key(key);
    const expectedText = expected === undefined ? undefined : this.#encode(key, expected);
    return this.swapText(fullKey, expectedText, this.#encode(key, next), ttlOf(options));
  }

  async keys(prefix = ''): Promise<string[]> {
    this.#checkOpen();
    if (typeof prefix !== 'string') {
      throw new WorkermanError(ErrorCodes.INVALID_OPTION, 'keys(prefix): prefix must be a string');
    }
    const found = await this.listKeys(this.prefix + prefix);
    return found.map((fullKey) => fullKey.slice(this.prefix.length)).sort();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.closeBackend();
  }

  /** The JSON text under `key`, or undefined (missing or expired). */
  protected abstract readText(key: string): Promise<string | undefined>;
  /** Stores `text`; `ttlSeconds` 0 means no expiry. */
  protected abstract writeText(key: string, text: string, ttlSeconds: number): Promise<void>;
  protected abstract deleteKey(key: string): Promise<boolean>;
  /** Atomically adds `by` and returns the new value; `notACounter` when the value is no integer. */
  protected abstract incrementKey(key: string, by: number): Promise<number>;
  /** Atomically: when the text under `key` is `expected` (undefined: none), stores `next`. */
  protected abstract swapText(
    key: string,
    expected: string | undefined,
    next: string,
    ttlSeconds: number,
  ): Promise<boolean>;
  /** The full keys (prefix included) that start with `prefix`. */
  protected abstract listKeys(prefix: string): Promise<string[]>;
  protected abstract closeBackend(): Promise<void>;

  #checkOpen(): void {
    if (this.#closed) {
      throw new WorkermanError(ErrorCodes.STORE_CLOSED, `${this.driver} store: used after close()`);
    }
  }

  #key(key: string): string {
    this.#checkOpen();
    if (typeof key !== 'string' || key === '') {
      throw new WorkermanError(ErrorCodes.INVALID_OPTION, 'a store key must be a non-empty string');
    }
    const bytes = Buffer.byteLength(key);
    if (bytes > this.maxKeyBytes) {
      throw new WorkermanError(
        ErrorCodes.STORE_KEY_TOO_LONG,
        `${this.driver} store: key of ${bytes} bytes is over maxKeyBytes (${this.maxKeyBytes}): "${key.slice(0, 40)}..."`,
      );
    }
    return this.prefix + key;
  }

  #encode(key: string, value: unknown): string {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new WorkermanError(
        ErrorCodes.STORE_BAD_VALUE,
        `${this.driver} store: the value for "${key}" cannot be JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (text === undefined) {
      throw new WorkermanError(
        ErrorCodes.STORE_BAD_VALUE,
        `${this.driver} store: the value for "${key}" is ${typeof value}, which JSON cannot hold`,
      );
    }
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxValueBytes) {
      throw new WorkermanError(
        ErrorCodes.STORE_VALUE_TOO_LARGE,
        `${this.driver} store: the value for "${key}" is ${bytes} bytes of JSON, over maxValueBytes (${this.maxValueBytes})`,
      );
    }
    return text;
  }
}

/** The error every driver gives when `increment` meets a value that is no integer. */
export function notACounter(driver: StoreDriver, key: string, cause?: unknown): WorkermanError {
  return new WorkermanError(
    ErrorCodes.STORE_BAD_VALUE,
    `${driver} store: increment found a value under "${key}" that is not an integer within ±2^53`,
    { cause },
  );
}

function ttlOf(options: SetOptions): number {
  const ttl = options.ttlSeconds;
  if (ttl === undefined) return 0;
  if (!Number.isSafeInteger(ttl) || ttl <= 0) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `ttlSeconds ${ttl}: a positive whole number of seconds is needed (leave it out for no expiry)`,
    );
  }
  return ttl;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `store ${name} ${value}: a positive integer is needed`,
    );
  }
  return value;
}
