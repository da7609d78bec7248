import { nodeCrypto } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import { KeyValueStore, notACounter } from './key-value-store.js';
import { importOptional } from './optional-package.js';
import type { StoreLimits } from './store.js';

interface StoreCommandOptions {
  lifetime?: number;
}

/**
 * The commands of a `memcache-client` client the store uses. Refusals
 * (`NOT_STORED`, `EXISTS`, `NOT_FOUND`) reject with the reply as message.
 */
export interface MemcachedStoreClient {
  get(key: string): Promise<{ value: unknown } | undefined>;
  gets(key: string): Promise<{ value: unknown; casUniq: number | string } | undefined>;
  set(key: string, value: string, options: StoreCommandOptions): Promise<unknown>;
  add(key: string, value: string, options: StoreCommandOptions): Promise<unknown>;
  cas(
    key: string,
    value: string,
    options: StoreCommandOptions & { casUniq: number | string },
  ): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  incr(key: string, value: number): Promise<unknown>;
  shutdown(): void;
}

export interface MemcachedStoreOptions extends StoreLimits {
  /** A `memcache-client` client; the store leaves it open at `close()`. */
  client?: MemcachedStoreClient;
  /**
   * Without `client`: the server (`host:port`), through `memcache-client`,
   * imported when first used. Default `127.0.0.1:11211`. The store shuts
   * that client down at `close()`.
   */
  server?: string;
}

/** Memcached reads an expiry past 30 days as a Unix time, not a duration. */
const maxRelativeExpiry = 30 * 24 * 3600;
/** A bound on retries when other clients keep changing a value between gets and cas. */
const maxCasAttempts = 1000;

/**
 * The store on memcached: `increment` is `incr` (with `add` for a missing
 * counter), `compareAndSet` is `gets` then `cas`. Memcached has no way to
 * list its keys, so `keys()` rejects with `WM_ERR_STORE_UNSUPPORTED`.
 *
 * Memcached's counters are unsigned: a negative `by`, or a counter below
 * zero, goes through gets/cas instead, which cannot read the remaining
 * lifetime, so such a counter loses its expiry.
 *
 * Memcached keys are at most 250 bytes of printable ASCII without spaces
 * (a space or a CR LF in a key would be read as the command's next part).
 * A full key that is not is sent as `#` and its SHA-256 in base64url; `#`
 * starts no key that is sent as it is, so the two never meet.
 */
export class MemcachedStore extends KeyValueStore {
  readonly driver = 'memcached' as const;
  readonly #server: string;
  readonly #ownsClient: boolean;
  #client: Promise<MemcachedStoreClient> | null;

  constructor(options: MemcachedStoreOptions = {}) {
    super(options);
    this.#server = options.server ?? '127.0.0.1:11211';
    this.#ownsClient = options.client === undefined;
    this.#client = options.client === undefined ? null : Promise.resolve(options.client);
  }

  protected async readText(key: string): Promise<string | undefined> {
    const reply = await (await this.#memcached()).get(wireKey(key));
    return reply === undefined ? undefined : String(reply.value);
  }

  protected async writeText(key: string, text: string, ttlSeconds: number): Promise<void> {
    await (await this.#memcached()).set(wireKey(key), text, { lifetime: lifetimeOf(ttlSeconds) });
  }

  protected async deleteKey(key: string): Promise<boolean> {
    const memcached = await this.#memcached();
    return accepted(() => memcached.delete(wireKey(key)), 'NOT_FOUND');
  }

  protected async incrementKey(key: string, by: number): Promise<number> {
    const memcached = await this.#memcached();
    const wire = wireKey(key);
    if (by < 0) return this.#incrementByCas(key, by);
    for (let attempt = 0; attempt < maxCasAttempts; attempt++) {
      try {
        return Number(await memcached.incr(wire, by));
      } catch (error) {
        const reply = (error as Error).message;
        // Not an unsigned integer ("-3", "1.5", a JSON string): signed arithmetic through cas.
        if (reply.startsWith('CLIENT_ERROR')) return this.#incrementByCas(key, by);
        if (!reply.startsWith('NOT_FOUND')) throw error;
      }
      // A new counter; `add` fails when another client added it first, then incr again.
      if (await accepted(() => memcached.add(wire, String(by), { lifetime: 0 }), 'NOT_STORED'))
        return by;
    }
    throw tooManyConflicts(key);
  }

  protected async swapText(
    key: string,
    expected: string | undefined,
    next: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    const memcached = await this.#memcached();
    const wire = wireKey(key);
    const lifetime = lifetimeOf(ttlSeconds);
    if (expected === undefined) {
      return accepted(() => memcached.add(wire, next, { lifetime }), 'NOT_STORED');
    }
    // A cas refused because the value changed is retried while it still reads as
    // expected: another client wrote the same text, which is not a reason to fail.
    for (let attempt = 0; attempt < maxCasAttempts; attempt++) {
      const current = await memcached.gets(wire);
      if (current === undefined || String(current.value) !== expected) return false;
      const stored = await accepted(
        () => memcached.cas(wire, next, { lifetime, casUniq: current.casUniq }),
        'EXISTS',
        'NOT_FOUND',
      );
      if (stored) return true;
    }
    throw tooManyConflicts(key);
  }

  protected async listKeys(): Promise<string[]> {
    throw new WorkermanError(
      ErrorCodes.STORE_UNSUPPORTED,
      'memcached store: memcached cannot list its keys, so keys() is not available on this driver; ' +
        'keep an index of your keys in a value of its own, or use the file or redis driver',
    );
  }

  protected async closeBackend(): Promise<void> {
    if (this.#ownsClient && this.#client !== null) (await this.#client).shutdown();
  }

  /** increment for what `incr` cannot do: a negative step or a counter below zero. */
  async #incrementByCas(key: string, by: number): Promise<number> {
    const memcached = await this.#memcached();
    const wire = wireKey(key);
    for (let attempt = 0; attempt < maxCasAttempts; attempt++) {
      const current = await memcached.gets(wire);
      if (current === undefined) {
        if (await accepted(() => memcached.add(wire, String(by), { lifetime: 0 }), 'NOT_STORED'))
          return by;
        continue;
      }
      const text = String(current.value);
      const value = Number(text);
      if (!Number.isSafeInteger(value) || String(value) !== text)
        throw notACounter(this.driver, key);
      const next = value + by;
      const options = { lifetime: 0, casUniq: current.casUniq };
      if (await accepted(() => memcached.cas(wire, String(next), options), 'EXISTS', 'NOT_FOUND')) {
        return next;
      }
    }
    throw tooManyConflicts(key);
  }

  #memcached(): Promise<MemcachedStoreClient> {
    this.#client ??= importOptional<{
      MemcacheClient: new (options: { server: string }) => MemcachedStoreClient;
    }>('memcache-client', 'The memcached store').then(
      ({ MemcacheClient }) => new MemcacheClient({ server: this.#server }),
      (error: unknown) => {
        this.#client = null;
        throw error;
      },
    );
    return this.#client;
  }
}

/** True when `command` succeeded, false when memcached answered one of `refusals`. */
async function accepted(command: () => Promise<unknown>, ...refusals: string[]): Promise<boolean> {
  try {
    await command();
    return true;
  } catch (error) {
    const reply = (error as Error).message;
    if (refusals.some((refused) => reply.startsWith(refused))) return false;
    throw error;
  }
}

function wireKey(key: string): string {
  if (key.length <= 250 && /^[\x21-\x7e]+$/.test(key) && !key.startsWith('#')) return key;
  return `#${nodeCrypto().createHash('sha256').update(key).digest('base64url')}`;
}

function lifetimeOf(ttlSeconds: number): number {
  if (ttlSeconds <= maxRelativeExpiry) return ttlSeconds;
  return Math.floor(Date.now() / 1000) + ttlSeconds;
}

function tooManyConflicts(key: string): WorkermanError {
  return new WorkermanError(
    ErrorCodes.TIMEOUT,
    `memcached store: "${key}" changed under ${maxCasAttempts} attempts in a row; gave up`,
  );
}
