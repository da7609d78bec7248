import type { SessionHandler } from './session-handler.js';

/** The commands both `ioredis` and `redis` (node-redis v4+) clients offer alike. */
interface RedisCommonCommands {
  get(key: string): Promise<string | null>;
  expire(key: string, seconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** An `ioredis` client: `setex(key, seconds, value)`. */
export interface IoRedisLikeClient extends RedisCommonCommands {
  setex(key: string, seconds: number, value: string): Promise<unknown>;
}

/** A `redis` (node-redis v4+) client: `setEx(key, seconds, value)`. */
export interface NodeRedisLikeClient extends RedisCommonCommands {
  setEx(key: string, seconds: number, value: string): Promise<unknown>;
}

/**
 * A connected client of either library. The two differ on how an expiry is
 * set (`set(k, v, 'EX', s)` in ioredis, `set(k, v, { EX: s })` in
 * node-redis, where the ioredis form sets no expiry at all), so the handler
 * uses SETEX, which each names its own way.
 */
export type RedisLikeClient = IoRedisLikeClient | NodeRedisLikeClient;

/**
 * Sessions in Redis under `<prefix><id>` with a TTL of the lifetime, so
 * Redis expires them by itself and `gc` has nothing to do.
 *
 *     Session.handler = new RedisSessionHandler(new Redis({ port: 6379 }));  // ioredis
 *     Session.handler = new RedisSessionHandler(await createClient().connect()); // redis
 */
export class RedisSessionHandler implements SessionHandler {
  readonly client: RedisLikeClient;
  readonly prefix: string;

  constructor(client: RedisLikeClient, options: { prefix?: string } = {}) {
    if (!('setEx' in client) && !('setex' in client)) {
      throw new TypeError(
        'RedisSessionHandler needs an ioredis client (setex) or a redis (node-redis v4+) client (setEx)',
      );
    }
    this.client = client;
    this.prefix = options.prefix ?? 'redis_session_';
  }

  async read(id: string): Promise<string> {
    return (await this.client.get(this.prefix + id)) ?? '';
  }

  async write(id: string, data: string, lifetime: number): Promise<void> {
    const client = this.client;
    if ('setEx' in client) await client.setEx(this.prefix + id, lifetime, data);
    else await client.setex(this.prefix + id, lifetime, data);
  }

  async touch(id: string, _data: string, lifetime: number): Promise<void> {
    await this.client.expire(this.prefix + id, lifetime);
  }

  async destroy(id: string): Promise<void> {
    await this.client.del(this.prefix + id);
  }

  async gc(): Promise<void> {}
}
