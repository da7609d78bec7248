import { isHostPort } from '../register/register-messages.js';
import { checkProof, proveKnowledge } from '../wire/link-auth.js';

/**
 * How the gateway list is kept in Redis. For prefix `workerman:`:
 *
 *     workerman:gateways             a set: the internal address of each gateway
 *     workerman:gateway:<ip:port>    one string per gateway, with an expiry (PX ttl):
 *                                    HMAC-SHA256(secretKey, address), 64 hex
 *     workerman:gateways (channel)   "up <ip:port>" when an entry appears,
 *                                    "down <ip:port>" when a gateway stops cleanly
 *
 * A gateway is listed while its entry exists: it refreshes the expiry
 * every ttl/3, so an entry outlives its gateway by at most `ttl`. The set
 * only says where to look (Redis cannot expire a set's members); readers
 * drop members whose entry expired. Each step below is one Lua script, so
 * a reader never sees a member half written, and never removes a member a
 * gateway re-announced a moment before.
 *
 * The entry's value proves the writer knew the cluster's `secretKey`: a
 * process that may write to Redis but lacks the key cannot list an
 * address of its own choosing (business workers would connect to it).
 *
 * Keys are built inside the scripts, so this is for one Redis server (or
 * a primary with replicas), not Redis Cluster.
 */

/** The key names and channel of one registry prefix. */
export interface RegistryKeys {
  members: string;
  entryPrefix: string;
  channel: string;
}

export function registryKeys(prefix: string): RegistryKeys {
  return {
    members: `${prefix}gateways`,
    entryPrefix: `${prefix}gateway:`,
    channel: `${prefix}gateways`,
  };
}

/** Bound into each signature, so it proves nothing anywhere else a key is used. */
const SIGNATURE_CONTEXT = 'redis-registry';

export function signEntry(secretKey: string, address: string): string {
  return proveKnowledge(secretKey, SIGNATURE_CONTEXT, 'gateway', address);
}

export function entryIsSigned(secretKey: string, address: string, signature: unknown): boolean {
  return checkProof(secretKey, SIGNATURE_CONTEXT, 'gateway', address, signature);
}

/**
 * KEYS[1] members; ARGV[1] entry prefix, ARGV[2] address, ARGV[3]
 * signature, ARGV[4] ttl in ms, ARGV[5] channel. Writes or refreshes the
 * entry; announces it only when it was not there (first start, after an
 * expiry, after Redis came back empty), so a refresh costs no message.
 * Returns 1 when it was new.
 */
export const ANNOUNCE_SCRIPT = `
local key = ARGV[1] .. ARGV[2]
local fresh = redis.call('EXISTS', key) == 0
redis.call('SET', key, ARGV[3], 'PX', ARGV[4])
redis.call('SADD', KEYS[1], ARGV[2])
if fresh then redis.call('PUBLISH', ARGV[5], 'up ' .. ARGV[2]) return 1 end
return 0`;

/** KEYS[1] members; ARGV[1] entry prefix, ARGV[2] address, ARGV[3] channel. A clean stop. */
export const WITHDRAW_SCRIPT = `
redis.call('DEL', ARGV[1] .. ARGV[2])
redis.call('SREM', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], 'down ' .. ARGV[2])
return 1`;

/**
 * KEYS[1] members; ARGV[1] entry prefix. Every live entry as a flat list
 * address, value, milliseconds left (-1: no expiry); members whose entry
 * expired are removed from the set on the way.
 */
export const READ_SCRIPT = `
local out = {}
for _, address in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[1] .. address
  local value = redis.call('GET', key)
  if value then
    out[#out + 1] = address
    out[#out + 1] = value
    out[#out + 1] = redis.call('PTTL', key)
  else
    redis.call('SREM', KEYS[1], address)
  end
end
return out`;

/** One entry as READ_SCRIPT returns it. */
export interface RegistryEntry {
  address: string;
  signature: string;
  /** Milliseconds until it expires; -1 for none (written by something else than a gateway). */
  msLeft: number;
}

/** READ_SCRIPT's reply as entries; a reply of any other shape yields none. */
export function parseEntries(reply: unknown): RegistryEntry[] {
  if (!Array.isArray(reply)) return [];
  const entries: RegistryEntry[] = [];
  for (let i = 0; i + 2 < reply.length; i += 3) {
    const [address, signature, msLeft] = [reply[i], reply[i + 1], reply[i + 2]];
    if (typeof address !== 'string' || typeof signature !== 'string') continue;
    entries.push({ address, signature, msLeft: Number(msLeft) });
  }
  return entries;
}

/** The entries a subscriber lists: a valid address, signed with the cluster's key. */
export function trustedEntries(
  entries: readonly RegistryEntry[],
  secretKey: string,
): { trusted: RegistryEntry[]; refused: string[] } {
  const trusted: RegistryEntry[] = [];
  const refused: string[] = [];
  for (const entry of entries) {
    if (isHostPort(entry.address) && entryIsSigned(secretKey, entry.address, entry.signature)) {
      trusted.push(entry);
    } else refused.push(entry.address.slice(0, 80));
  }
  return { trusted, refused };
}
