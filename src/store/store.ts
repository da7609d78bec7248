/**
 * A value a store keeps: anything JSON can represent. Values are kept as
 * their `JSON.stringify` text and read back with `JSON.parse`, so what JSON
 * makes of a value is what comes back (a `Date` becomes its ISO string,
 * `NaN` becomes `null`, object keys keep their order). A value JSON cannot
 * represent (`undefined`, a function, a `BigInt`, a cycle) is refused with
 * `WM_ERR_STORE_BAD_VALUE`.
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export interface SetOptions {
  /**
   * Whole seconds until the value expires (a positive integer); without it,
   * the value never expires. Redis and memcached count expiry in seconds,
   * so a value may live up to one second less or more than asked.
   */
  ttlSeconds?: number;
}

/**
 * The key-value store for application data, the same API on every driver
 * (`file`, `redis`, `memcached`). Every method returns a promise.
 *
 * Keys are non-empty strings of at most `maxKeyBytes` UTF-8 bytes; values
 * are JSON (see `JsonValue`) of at most `maxValueBytes` bytes of JSON text.
 */
export interface Store {
  /** The driver's name: `file`, `redis` or `memcached`. */
  readonly driver: StoreDriver;
  /** Put before every key in the backend (`StoreLimits.prefix`; '' when none). */
  readonly prefix: string;
  /** The value under `key`, or `undefined` when there is none or it expired. */
  get(key: string): Promise<JsonValue | undefined>;
  /** Stores `value` under `key`, replacing any value there. */
  set(key: string, value: unknown, options?: SetOptions): Promise<void>;
  /** Removes `key`; true when there was a value to remove. */
  delete(key: string): Promise<boolean>;
  /**
   * Adds `by` (an integer, default 1, may be negative) to the integer under
   * `key` atomically, creating it as `by` (without expiry) when missing, and
   * returns the new value. An existing expiry is kept. A value that is not
   * an integer is refused with `WM_ERR_STORE_BAD_VALUE`.
   */
  increment(key: string, by?: number): Promise<number>;
  /**
   * Replaces the value under `key` with `next` only when it is `expected`
   * (compared by JSON text; `expected` undefined means "no value"),
   * atomically. True when it replaced. `next` gets `options.ttlSeconds`,
   * or no expiry.
   */
  compareAndSet(
    key: string,
    expected: unknown,
    next: unknown,
    options?: SetOptions,
  ): Promise<boolean>;
  /**
   * The keys that start with `prefix` and have not expired, sorted.
   * Memcached cannot list keys: its store rejects with
   * `WM_ERR_STORE_UNSUPPORTED`.
   */
  keys(prefix?: string): Promise<string[]>;
  /** Releases what the store opened (a client it created, not one it was given). Later calls reject with `WM_ERR_STORE_CLOSED`. */
  close(): Promise<void>;
}

export type StoreDriver = 'file' | 'redis' | 'memcached';

/** What every driver takes. */
export interface StoreLimits {
  /** Put before every key in the backend, so apps can share one server. */
  prefix?: string;
  /** Longest key, in UTF-8 bytes (the prefix not counted). Default 250, memcached's own limit. */
  maxKeyBytes?: number;
  /**
   * Largest value, in bytes of its JSON text. Default 1,000,000, which fits
   * memcached's default item size of 1 MiB with its key and header.
   */
  maxValueBytes?: number;
}

export const storeDefaults = {
  maxKeyBytes: 250,
  maxValueBytes: 1_000_000,
} as const;
