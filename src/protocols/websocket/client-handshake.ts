import { nodeCrypto } from '../../builtins.js';
import type { WebSocketResponse } from './websocket-types.js';

/** RFC 6455 §1.3: the GUID appended to the key for `Sec-WebSocket-Accept`. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  return nodeCrypto()
    .createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes, base64 (§4.1). */
export function newClientKey(): string {
  return nodeCrypto().randomBytes(16).toString('base64');
}

/** Header values may not carry CR or LF (they would start a new header). */
function clean(value: string): string {
  return value.replace(/[\r\n]/g, '');
}

/** Extra headers given as `['Name: value']` or `{ Name: 'value' }`, as `[name, value]` pairs. */
export function headerPairs(
  headers: string[] | Record<string, string> | undefined,
): [string, string][] {
  if (!headers) return [];
  if (Array.isArray(headers)) {
    return headers.flatMap((line) => {
      const colon = line.indexOf(':');
      return colon > 0
        ? [[clean(line.slice(0, colon).trim()), clean(line.slice(colon + 1).trim())]]
        : [];
    }) as [string, string][];
  }
  return Object.entries(headers).map(([name, value]) => [clean(name), clean(String(value))]);
}

export interface ClientRequestOptions {
  host: string;
  port: number;
  tls: boolean;
  resource: string;
  key: string;
  origin?: string | undefined;
  protocols?: string | undefined;
  extensions?: string | undefined;
  headers?: string[] | Record<string, string> | undefined;
}

/** The opening handshake request (§4.1). `Host` omits the default port. */
export function clientRequest(options: ClientRequestOptions): string {
  const { host, port, tls } = options;
  const hostName = host.includes(':') ? `[${host}]` : host;
  const defaultPort = tls ? 443 : 80;
  const lines = [
    `GET ${options.resource || '/'} HTTP/1.1`,
    `Host: ${port === defaultPort ? hostName : `${hostName}:${port}`}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${options.key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (options.origin) lines.push(`Origin: ${clean(options.origin)}`);
  if (options.protocols) lines.push(`Sec-WebSocket-Protocol: ${clean(options.protocols)}`);
  if (options.extensions) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
  for (const [name, value] of headerPairs(options.headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Where the response head ends (after CRLF CRLF), or 0 while it is incomplete. */
export function responseHeadLength(buffer: Buffer): number {
  const end = buffer.indexOf('\r\n\r\n', 0, 'latin1');
  return end === -1 ? 0 : end + 4;
}

/**
 * Checks the server's answer (§4.1, "the client MUST validate the server's
 * response"): status 101, `Upgrade: websocket`, `Connection: Upgrade`, the
 * accept key, and a subprotocol among those offered. Returns the response,
 * or why it is refused.
 */
export function checkServerResponse(
  head: Buffer,
  key: string,
  offeredProtocols: string | undefined,
): WebSocketResponse | string {
  const lines = head.toString('latin1').split('\r\n');
  const statusLine = /^HTTP\/1\.1 (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!statusLine) return `not an HTTP/1.1 response: "${(lines[0] ?? '').slice(0, 80)}"`;
  const status = Number(statusLine[1]);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line "${line.slice(0, 80)}"`;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const header = (name: string) => headers.find(([n]) => n === name.toLowerCase())?.[1];
  if (status !== 101) return `the server answered ${lines[0]} instead of 101`;
  if (header('upgrade')?.toLowerCase() !== 'websocket')
    return 'the answer lacks "Upgrade: websocket"';
  const connection = (header('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (!connection.includes('upgrade')) return 'the answer lacks "Connection: Upgrade"';
  if (header('sec-websocket-accept') !== acceptKey(key)) return 'wrong Sec-WebSocket-Accept';
  const protocol = header('sec-websocket-protocol') ?? '';
  if (protocol !== '') {
    const offered = (offeredProtocols ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(protocol))
      return `the server chose subprotocol "${protocol}", which was not offered`;
  }
  return { status, headers, protocol, header };
}
