import type { SessionHandler } from './session-handler.js';

/**
 * The few Redis commands the handler needs, as `ioredis` and `redis` (v4+)
 * clients both offer them; bring your own connected client.
 */
export interface RedisLikeClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'EX', seconds: number): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/**
 * Sessions in Redis under `<prefix><id>` with a TTL of the lifetime, so
 * Redis expires them by itself and `gc` has nothing to do.
 *
 *     Session.handler = new RedisSessionHandler(new Redis({ port: 6379 }));
 */
export class RedisSessionHandler implements SessionHandler {
  readonly client: RedisLikeClient;
  readonly prefix: string;

  constructor(client: RedisLikeClient, options: { prefix?: string } = {}) {
    this.client = client;
    this.prefix = options.prefix ?? 'redis_session_';
  }

  async read(id: string): Promise<string> {
    return (await this.client.get(this.prefix + id)) ?? '';
  }

  async write(id: string, data: string, lifetime: number): Promise<void> {
    await this.client.set(this.prefix + id, data, 'EX', lifetime);
  }

  async touch(id: string, _data: string, lifetime: number): Promise<void> {
    await this.client.expire(this.prefix + id, lifetime);
  }

  async destroy(id: string): Promise<void> {
    await this.client.del(this.prefix + id);
  }

  async gc(): Promise<void> {}
}
