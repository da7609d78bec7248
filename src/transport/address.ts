import { ErrorCodes, WorkermanError } from '../errors.js';

/** Schemes that name a transport rather than a codec. */
export const TRANSPORT_SCHEMES = ['tcp', 'udp', 'unix', 'ssl'] as const;
export type TransportName = (typeof TRANSPORT_SCHEMES)[number];

/** A parsed `scheme://host:port` or `unix:///path` address. */
export interface ListenAddress {
  /** The scheme as written (`text`, `JsonNL`, `tcp`, ...). */
  scheme: string;
  /** The transport the scheme implies: `udp`, `unix` and `ssl` name themselves, anything else is `tcp`. */
  transport: TransportName;
  /** Host without IPv6 brackets; empty for unix sockets. */
  host: string;
  /** Port; 0 for unix sockets. */
  port: number;
  /** Socket path for unix sockets; empty otherwise. */
  path: string;
  /** For clients: path and query after the port (`/chat?room=1`), or `''`. */
  resource: string;
}

const ADDRESS = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^:/?#[\]]+)(?::(\d{1,5}))?(.*)$/;

function invalid(address: string, why: string): WorkermanError {
  return new WorkermanError(ErrorCodes.INVALID_ADDRESS, `invalid address "${address}": ${why}`);
}

/**
 * Parses a listen or connect address. `defaultPort` applies when the address
 * has none (clients: 80 or 443); a listener must name its port.
 */
export function parseAddress(address: string, defaultPort?: number): ListenAddress {
  const match = ADDRESS.exec(address);
  if (!match) throw invalid(address, 'expected scheme://host:port or unix:///path');
  const scheme = match[1] as string;
  const rest = match[2] as string;
  const lower = scheme.toLowerCase();
  const transport = (TRANSPORT_SCHEMES as readonly string[]).includes(lower)
    ? (lower as TransportName)
    : 'tcp';

  if (transport === 'unix') {
    if (!rest.startsWith('/')) throw invalid(address, 'a unix socket needs an absolute path');
    return { scheme, transport, host: '', port: 0, path: rest, resource: '' };
  }

  const hostPort = HOST_PORT.exec(rest);
  if (!hostPort) throw invalid(address, 'missing host');
  const rawHost = hostPort[1] as string;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const portText = hostPort[2];
  const resource = hostPort[3] ?? '';
  if (resource !== '' && !resource.startsWith('/') && !resource.startsWith('?')) {
    throw invalid(address, `unexpected "${resource}" after the host`);
  }
  let port: number;
  if (portText === undefined) {
    if (defaultPort === undefined) throw invalid(address, 'missing port');
    port = defaultPort;
  } else {
    port = Number(portText);
    if (port > 65535) throw invalid(address, `port ${port} is above 65535`);
  }
  return { scheme, transport, host, port, path: '', resource };
}
