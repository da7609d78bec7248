/**
 * The lines a register and its peers exchange: one JSON object per line over
 * `text://`. Both sides parse what they receive here, so a malformed line is
 * named the same way wherever it is refused.
 *
 * Register → peer: `challenge`, then (subscribers) `broadcast_addresses`.
 * Peer → register: one of `gateway_connect` / `worker_connect` /
 * `client_connect` with its proof, then only `ping`.
 */

/** The three kinds of peer, as bound into their proofs (see wire/link-auth.ts). */
export type RegisterRole = 'gateway' | 'worker' | 'client';

/** What a peer may send; `proof` is left unchecked here (checkProof rejects a bad one). */
export type PeerMessage =
  | { event: 'gateway_connect'; address: string; proof: unknown }
  | { event: 'worker_connect'; proof: unknown }
  | { event: 'client_connect'; proof: unknown }
  | { event: 'ping' };

/** What a register sends. */
export type RegisterMessage =
  | { event: 'challenge'; challenge: string }
  | { event: 'broadcast_addresses'; addresses: string[] };

/** The event each role answers the challenge with. */
export const CONNECT_EVENTS: Readonly<Record<RegisterRole, PeerMessage['event']>> = {
  gateway: 'gateway_connect',
  worker: 'worker_connect',
  client: 'client_connect',
};

const ROLE_OF_EVENT: Readonly<Record<string, RegisterRole>> = {
  gateway_connect: 'gateway',
  worker_connect: 'worker',
  client_connect: 'client',
};

/** The role a connect event announces, or `null` for any other event. */
export function roleOfEvent(event: string): RegisterRole | null {
  return Object.hasOwn(ROLE_OF_EVENT, event) ? (ROLE_OF_EVENT[event] as RegisterRole) : null;
}

/** Longest gateway address accepted: a bracketed IPv6 address or a host name, and a port. */
const MAX_ADDRESS_LENGTH = 300;
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Whether `value` is `host:port` (`[v6]:port`), port 1..65535: a gateway's internal address, a register's. */
export function isHostPort(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_ADDRESS_LENGTH) return false;
  const match = ADDRESS.exec(value);
  if (match === null) return false;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535;
}

/** A parse result: the message, or why the line was refused (safe to log: no proof in it). */
export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

function parseObject(line: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const record = value as Record<string, unknown>;
  if (typeof record.event !== 'string') return { ok: false, reason: 'no "event" field' };
  return { ok: true, message: record };
}

/** Shown in reasons: an event name from the peer, cut short and quoted. */
function showEvent(event: string): string {
  return JSON.stringify(event.length > 40 ? `${event.slice(0, 40)}…` : event);
}

/** A line received by the register. */
export function parsePeerLine(line: string): Parsed<PeerMessage> {
  const parsed = parseObject(line);
  if (!parsed.ok) return parsed;
  const record = parsed.message;
  const event = record.event as string;
  switch (event) {
    case 'ping':
      return { ok: true, message: { event } };
    case 'worker_connect':
    case 'client_connect':
      return { ok: true, message: { event, proof: record.proof } };
    case 'gateway_connect':
      if (!isHostPort(record.address)) {
        return { ok: false, reason: 'gateway_connect without a valid "address" (host:port)' };
      }
      return { ok: true, message: { event, address: record.address, proof: record.proof } };
    default:
      return { ok: false, reason: `unknown event ${showEvent(event)}` };
  }
}

/** A line received from a register. */
export function parseRegisterLine(line: string): Parsed<RegisterMessage> {
  const parsed = parseObject(line);
  if (!parsed.ok) return parsed;
  const record = parsed.message;
  const event = record.event as string;
  if (event === 'challenge') {
    const challenge = record.challenge;
    if (typeof challenge !== 'string' || !/^[0-9a-f]{16,128}$/.test(challenge)) {
      return { ok: false, reason: 'challenge without a hex "challenge"' };
    }
    return { ok: true, message: { event, challenge } };
  }
  if (event === 'broadcast_addresses') {
    const addresses = record.addresses;
    if (!Array.isArray(addresses) || !addresses.every(isHostPort)) {
      return { ok: false, reason: 'broadcast_addresses without a list of host:port addresses' };
    }
    return { ok: true, message: { event, addresses: normalizeAddresses(addresses) } };
  }
  return { ok: false, reason: `unknown event ${showEvent(event)}` };
}

/** Deduplicated and sorted: the one form lists are compared and sent in. */
export function normalizeAddresses(addresses: Iterable<string>): string[] {
  return [...new Set(addresses)].sort();
}

/** Whether two normalized lists are equal. */
export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((address, i) => address === b[i]);
}
