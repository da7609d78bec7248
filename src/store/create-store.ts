import { ErrorCodes, WorkermanError } from '../errors.js';
import { FileStore, type FileStoreOptions } from './file-store.js';
import { MemcachedStore, type MemcachedStoreOptions } from './memcached-store.js';
import { RedisStore, type RedisStoreOptions } from './redis-store.js';
import type { Store } from './store.js';

export type StoreOptions =
  | ({ driver?: 'file' } & FileStoreOptions)
  | ({ driver: 'redis' } & RedisStoreOptions)
  | ({ driver: 'memcached' } & MemcachedStoreOptions);

/**
 * A store of the named driver (default `file`). Nothing connects yet: the
 * redis and memcached drivers import their client package and connect on
 * first use, so a missing package or server shows on the first call.
 *
 *     const store = createStore();                                         // files, one machine
 *     const store = createStore({ driver: 'redis', url: 'redis://10.0.0.5:6379' });
 *     const store = createStore({ driver: 'memcached', server: '10.0.0.6:11211' });
 */
export function createStore(options: StoreOptions = {}): Store {
  switch (options.driver) {
    case undefined:
    case 'file':
      return new FileStore(options);
    case 'redis':
      return new RedisStore(options);
    case 'memcached':
      return new MemcachedStore(options);
    default:
      return unknownDriver(options);
  }
}

function unknownDriver(options: never): never {
  const driver = (options as { driver: unknown }).driver;
  throw new WorkermanError(
    ErrorCodes.INVALID_OPTION,
    `createStore: unknown driver ${JSON.stringify(driver)} (file, redis or memcached)`,
  );
}
