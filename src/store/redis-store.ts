import { KeyValueStore, notACounter } from './key-value-store.js';
import { importOptional } from './optional-package.js';
import type { StoreLimits } from './store.js';

/** The commands of an `ioredis` client the store uses. */
export interface RedisStoreClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, secondsToken: 'EX', seconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
  incrby(key: string, by: number): Promise<number>;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  scan(
    cursor: string,
    patternToken: 'MATCH',
    pattern: string,
    countToken: 'COUNT',
    count: number,
  ): Promise<[cursor: string, elements: string[]]>;
  quit(): Promise<unknown>;
}

export interface RedisStoreOptions extends StoreLimits {
  /** A connected `ioredis` client; the store leaves it open at `close()`. */
  client?: RedisStoreClient;
  /**
   * Without `client`: the server to connect to (`redis://host:port/db`),
   * through `ioredis`, imported when first used. Default
   * `redis://127.0.0.1:6379`. The store closes that connection at `close()`.
   */
  url?: string;
}

/**
 * The comparison and the write in one step on the server: Redis runs a
 * script alone, so no other client writes between them.
 * KEYS[1] key; ARGV[1] '1' when a value is expected, ARGV[2] that value,
 * ARGV[3] the next value, ARGV[4] its expiry in seconds ('0': none).
 */
const compareAndSetScript = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[4] == '0' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
end
return 1`;

/**
 * The store on Redis, for several machines. Values are strings holding
 * their JSON text, so a counter is an integer string and `increment` is
 * INCRBY (atomic on the server; the expiry stays). `keys()` walks SCAN with
 * a MATCH on the escaped prefix, never KEYS, which blocks the server for
 * the whole key space.
 */
export class RedisStore extends KeyValueStore {
  readonly driver = 'redis' as const;
  readonly #url: string;
  readonly #ownsClient: boolean;
  #client: Promise<RedisStoreClient> | null;

  constructor(options: RedisStoreOptions = {}) {
    super(options);
    this.#url = options.url ?? 'redis://127.0.0.1:6379';
    this.#ownsClient = options.client === undefined;
    this.#client = options.client === undefined ? null : Promise.resolve(options.client);
  }

  protected async readText(key: string): Promise<string | undefined> {
    return (await (await this.#redis()).get(key)) ?? undefined;
  }

  protected async writeText(key: string, text: string, ttlSeconds: number): Promise<void> {
    const redis = await this.#redis();
    if (ttlSeconds === 0) await redis.set(key, text);
    else await redis.set(key, text, 'EX', ttlSeconds);
  }

  protected async deleteKey(key: string): Promise<boolean> {
    return (await (await this.#redis()).del(key)) > 0;
  }

  protected async incrementKey(key: string, by: number): Promise<number> {
    const redis = await this.#redis();
    try {
      return Number(await redis.incrby(key, by));
    } catch (error) {
      // "ERR value is not an integer or out of range": the one way INCRBY refuses a value.
      if (/not an integer|out of range/.test((error as Error).message)) {
        throw notACounter(this.driver, key, error);
      }
      throw error;
    }
  }

  protected async swapText(
    key: string,
    expected: string | undefined,
    next: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    const redis = await this.#redis();
    const args = [expected === undefined ? '0' : '1', expected ?? '', next, String(ttlSeconds)];
    return Number(await redis.eval(compareAndSetScript, 1, key, ...args)) === 1;
  }

  protected async listKeys(prefix: string): Promise<string[]> {
    const redis = await this.#redis();
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const found = new Set<string>(); // SCAN may return a key twice
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      for (const key of keys) found.add(key);
      cursor = next;
    } while (cursor !== '0');
    return [...found];
  }

  protected async closeBackend(): Promise<void> {
    if (this.#ownsClient && this.#client !== null) await (await this.#client).quit();
  }

  #redis(): Promise<RedisStoreClient> {
    this.#client ??= importOptional<{ Redis: new (url: string) => RedisStoreClient }>(
      'ioredis',
      'The redis store',
    ).then(
      ({ Redis }) => new Redis(this.#url),
      (error: unknown) => {
        this.#client = null;
        throw error;
      },
    );
    return this.#client;
  }
}
