import { ErrorCodes, WorkermanError } from '../../errors.js';

const { isIPv4, isIPv6 } = process.getBuiltinModule('node:net');

/**
 * A client id names the gateway process that holds the client and the
 * client's number there, so any business worker or GatewayClient sends to
 * it with no lookup. Lowercase hex, as in the PHP original:
 *
 *     IPv4 gateway (20 characters):  iiiiiiii pppp cccccccc
 *     IPv6 gateway (44 characters):  32 hex of the address, pppp, cccccccc
 *
 * i: the gateway's `lanIp`, p: its internal port, c: the client's number
 * in that process (u32). Ids are unique for a gateway process's life, not
 * across its restarts: never store them.
 */
export interface ClientAddress {
  /** The gateway's internal address, `ip:port` (IPv6 in brackets). */
  gateway: string;
  /** The client's number in that gateway process. */
  client: number;
}

const IPV4_ID_LENGTH = 20;
const IPV6_ID_LENGTH = 44;

/** The id prefix of one gateway process (everything but the client number). */
export function clientIdPrefix(lanIp: string, port: number): string {
  const portHex = port.toString(16).padStart(4, '0');
  if (isIPv4(lanIp)) {
    const hex = lanIp
      .split('.')
      .map((part) => Number(part).toString(16).padStart(2, '0'))
      .join('');
    return hex + portHex;
  }
  if (isIPv6(lanIp)) return ipv6Hex(lanIp) + portHex;
  throw new WorkermanError(
    ErrorCodes.INVALID_OPTION,
    `gateway lanIp must be an IPv4 or IPv6 address that other machines reach, got "${lanIp}"`,
  );
}

export function encodeClientId(prefix: string, client: number): string {
  return prefix + (client >>> 0).toString(16).padStart(8, '0');
}

/** The gateway and client number an id names; throws `WM_ERR_INVALID_CLIENT_ID` for anything else. */
export function decodeClientId(id: unknown): ClientAddress {
  if (
    typeof id !== 'string' ||
    (id.length !== IPV4_ID_LENGTH && id.length !== IPV6_ID_LENGTH) ||
    !/^[0-9a-f]+$/.test(id)
  ) {
    throw new WorkermanError(
      ErrorCodes.INVALID_CLIENT_ID,
      `not a client id of this cluster: ${JSON.stringify(String(id).slice(0, 64))} (expected 20 or 44 lowercase hex characters)`,
    );
  }
  const ipHexLength = id.length - 12;
  const ipHex = id.slice(0, ipHexLength);
  const port = Number.parseInt(id.slice(ipHexLength, ipHexLength + 4), 16);
  const client = Number.parseInt(id.slice(ipHexLength + 4), 16);
  const ip =
    ipHexLength === 8
      ? [0, 2, 4, 6].map((at) => Number.parseInt(ipHex.slice(at, at + 2), 16)).join('.')
      : `[${(ipHex.match(/.{4}/g) ?? []).join(':')}]`;
  return { gateway: `${ip}:${port}`, client };
}

/** The gateway's internal address as `ip:port`, IPv6 in brackets, written as a decoded id writes it. */
export function gatewayAddress(lanIp: string, port: number): string {
  return isIPv6(lanIp) ? `[${ipv6Groups(lanIp).join(':')}]:${port}` : `${lanIp}:${port}`;
}

function ipv6Hex(ip: string): string {
  return ipv6Groups(ip).join('');
}

/** The eight groups of an IPv6 address, each as four hex digits (`::` expanded). */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = ip.includes('::') && tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups].map(
    (group) => group.padStart(4, '0'),
  );
}
