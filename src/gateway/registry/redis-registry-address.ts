import { ErrorCodes, WorkermanError } from '../../errors.js';

/**
 * A `redis://` registry address, taken apart:
 *
 *     redis://[user[:password]@]host[:port][/db][?prefix=workerman:&ttl=10]
 *
 * `user` and `password` are percent-decoded (write `%40` for `@`); a
 * password alone is `redis://:password@host` (Redis before 6, or the
 * `default` user). `db` is the database number (default 0). The query
 * holds the registry's own settings: `prefix` of its keys and channel
 * (default `workerman:`), and `ttl`, the seconds a gateway's entry lives
 * without a refresh (default 10, 1 to 3600).
 */
export interface RedisRegistryAddress {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  prefix: string;
  /** Milliseconds an entry lives without a refresh. */
  ttlMs: number;
  /** The address without the password, for logs. */
  shown: string;
}

export const DEFAULT_REDIS_PORT = 6379;
export const DEFAULT_PREFIX = 'workerman:';
export const DEFAULT_TTL_SECONDS = 10;
export const MIN_TTL_SECONDS = 1;
export const MAX_TTL_SECONDS = 3600;
/** Longest prefix accepted: keys stay short, and a pasted secret shows as the mistake it is. */
export const MAX_PREFIX_LENGTH = 100;

/** Whether `address` asks for the Redis registry (the scheme alone decides). */
export function isRedisAddress(address: unknown): address is string {
  return typeof address === 'string' && /^redis:\/\//i.test(address.trim());
}

/** Parses a `redis://` registry address; anything else is `WM_ERR_INVALID_ADDRESS` saying what is wrong. */
export function parseRedisRegistryAddress(address: string): RedisRegistryAddress {
  const refuse = (why: string): never => {
    throw new WorkermanError(
      ErrorCodes.INVALID_ADDRESS,
      `registerAddress ${JSON.stringify(redact(address))}: ${why} ` +
        '(expected redis://[user:password@]host[:port][/db][?prefix=...&ttl=seconds])',
    );
  };
  if (!isRedisAddress(address)) refuse('not a redis:// URL');
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    return refuse('does not parse as a URL');
  }
  if (url.hostname === '') refuse('no host');
  if (url.hash !== '') refuse('a #fragment means nothing here');
  const port = url.port === '' ? DEFAULT_REDIS_PORT : Number(url.port);
  if (port < 1) refuse('port 0 cannot be connected to');
  const path = url.pathname;
  let db = 0;
  if (path !== '' && path !== '/') {
    const digits = /^\/(\d{1,9})$/.exec(path)?.[1];
    if (digits === undefined) refuse(`the path ${JSON.stringify(path)} is not a database number`);
    db = Number(digits);
  }
  let prefix = DEFAULT_PREFIX;
  let ttlSeconds = DEFAULT_TTL_SECONDS;
  for (const [name, value] of url.searchParams) {
    if (name === 'prefix') {
      if (value.length > MAX_PREFIX_LENGTH || !/^[!-~]+$/.test(value)) {
        refuse(`prefix must be 1 to ${MAX_PREFIX_LENGTH} printable ASCII characters, no spaces`);
      }
      prefix = value;
    } else if (name === 'ttl') {
      ttlSeconds = Number(value);
      if (
        value.trim() === '' ||
        !Number.isFinite(ttlSeconds) ||
        ttlSeconds < MIN_TTL_SECONDS ||
        ttlSeconds > MAX_TTL_SECONDS
      ) {
        refuse(
          `ttl must be seconds from ${MIN_TTL_SECONDS} to ${MAX_TTL_SECONDS}, got ${JSON.stringify(value)}`,
        );
      }
    } else {
      refuse(`unknown setting ${JSON.stringify(name.slice(0, 40))} (prefix, ttl)`);
    }
  }
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return refuse('the user or password has a broken %-escape');
    }
  };
  const username = url.username === '' ? undefined : decode(url.username);
  const password = url.password === '' ? undefined : decode(url.password);
  // URL keeps IPv6 hosts in brackets; net.connect wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    username,
    password,
    prefix,
    ttlMs: Math.round(ttlSeconds * 1000),
    shown: `redis://${url.hostname}:${port}/${db}`,
  };
}

/** The address with any password replaced by `***`, for messages. */
function redact(address: string): string {
  return address.replace(/^(redis:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
