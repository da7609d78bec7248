import { ErrorCodes, WorkermanError } from '../../errors.js';
import { RegisterClient } from '../register/register-client.js';
import { isHostPort, type RegisterRole } from '../register/register-messages.js';
import type { AddressListener } from './notify-addresses.js';
import { RedisRegistry } from './redis-registry.js';
import { isRedisAddress, parseRedisRegistryAddress } from './redis-registry-address.js';

/**
 * How a gateway, a business worker or a GatewayClient finds the others,
 * whatever keeps the list: a gateway announces its internal address; the
 * others get the list of gateways, and each change of it.
 */
export interface Registry {
  /**
   * Starts announcing or listening; what cannot be fixed by waiting (the
   * Redis client package missing) rejects. A registry that is unreachable
   * is no error: it is retried.
   */
  start(): void | Promise<void>;
  /** Stops for good: a gateway is taken off the list; nothing reconnects after. */
  stop(): Promise<void>;
  /** The gateway addresses known now, sorted (roles `worker` and `client`). */
  readonly addresses: readonly string[];
}

export interface RegistryOptions {
  /**
   * The built-in register(s), `host:port` (or `text://host:port`), one or
   * a list for redundancy; or one `redis://[user:password@]host[:port][/db]`
   * (see redis-registry-address.ts for its `?prefix=&ttl=` settings).
   */
  registerAddress: string | readonly string[];
  /** The cluster's shared secret. */
  secretKey: string;
  /** `gateway` announces itself; `worker` and `client` receive the gateway list. */
  role: RegisterRole;
  /** Role `gateway` (required): its internal `ip:port`. */
  announce?: string;
  /** Roles `worker` / `client`: the gateway list, each time it changes. */
  onAddresses?: AddressListener;
}

const ROLES: readonly RegisterRole[] = ['gateway', 'worker', 'client'];

/** A `RedisRegistry` for a `redis://` address, a `RegisterClient` for built-in registers. */
export function openRegistry(options: RegistryOptions): Registry {
  const given = options.registerAddress;
  const list: readonly unknown[] =
    typeof given === 'string' ? [given] : Array.isArray(given) ? given : [];
  if (!list.some(isRedisAddress)) return new RegisterClient(options);
  if (list.length !== 1) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      'registerAddress: a redis:// address stands alone (one Redis; make it highly available with ' +
        'Redis itself), not in a list with other addresses',
    );
  }
  const address = parseRedisRegistryAddress(list[0] as string);
  checkRoleOptions(options);
  return new RedisRegistry({ ...options, address });
}

/** What a RegisterClient checks of the role, for the Redis registry: one WM_ERR_INVALID_OPTION. */
function checkRoleOptions(options: RegistryOptions): void {
  const problems: string[] = [];
  if (typeof options.secretKey !== 'string') problems.push('secretKey must be a string');
  if (!ROLES.includes(options.role)) problems.push(`role must be one of ${ROLES.join(', ')}`);
  if (options.role === 'gateway' && !isHostPort(options.announce)) {
    problems.push(
      `role gateway needs announce as its internal ip:port, got ${JSON.stringify(options.announce)}`,
    );
  }
  if (options.role !== 'gateway' && options.announce !== undefined) {
    problems.push('announce is for role gateway only');
  }
  if (problems.length > 0) {
    throw new WorkermanError(ErrorCodes.INVALID_OPTION, `redis registry: ${problems.join('; ')}`);
  }
}
