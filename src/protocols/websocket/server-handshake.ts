import type { RequestHead } from '../http/request-head.js';
import { acceptKey, headerPairs } from './client-handshake.js';

/** A refused handshake: the HTTP status, why, and any header the answer needs. */
export interface HandshakeRefusal {
  status: number;
  reason: string;
  headers?: [string, string][];
}

export interface HandshakeRequest {
  key: string;
  /** Subprotocols the client offered, in its order. */
  protocols: string[];
  extensions: string | undefined;
}

const STATUS_TEXT: Record<number, string> = {
  101: 'Switching Protocols',
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  414: 'URI Too Long',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
  505: 'HTTP Version Not Supported',
};

/** All values of a header, joined as a list (RFC 9110 §5.3). */
function headerValue(head: RequestHead, name: string): string | undefined {
  let value: string | undefined;
  for (const [n, v] of head.headers)
    if (n === name) value = value === undefined ? v : `${value}, ${v}`;
  return value;
}

function tokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

/**
 * Checks an opening handshake (RFC 6455 §4.2.1): GET, HTTP/1.1, `Host`,
 * `Upgrade: websocket`, `Connection: Upgrade`, a `Sec-WebSocket-Key` that is
 * 16 bytes in base64, and `Sec-WebSocket-Version: 13` (else 426 with the
 * version we speak, §4.4).
 */
export function checkUpgradeRequest(head: RequestHead): HandshakeRequest | HandshakeRefusal {
  if (head.method !== 'GET') {
    return {
      status: 405,
      reason: `a WebSocket handshake is a GET, not ${head.method}`,
      headers: [['Allow', 'GET']],
    };
  }
  if (head.version !== '1.1')
    return { status: 400, reason: 'a WebSocket handshake needs HTTP/1.1' };
  if (headerValue(head, 'host') === undefined)
    return { status: 400, reason: 'missing Host header' };
  if (!tokens(headerValue(head, 'upgrade')).includes('websocket')) {
    return {
      status: 426,
      reason: 'missing "Upgrade: websocket"',
      headers: [['Upgrade', 'websocket']],
    };
  }
  if (!tokens(headerValue(head, 'connection')).includes('upgrade')) {
    return { status: 400, reason: 'missing "Connection: Upgrade"' };
  }
  const version = headerValue(head, 'sec-websocket-version');
  if (version?.trim() !== '13') {
    return {
      status: 426,
      reason: `unsupported Sec-WebSocket-Version ${version ?? '(none)'}; this server speaks 13`,
      headers: [['Sec-WebSocket-Version', '13']],
    };
  }
  const key = headerValue(head, 'sec-websocket-key')?.trim() ?? '';
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    return { status: 400, reason: 'Sec-WebSocket-Key must be 16 bytes in base64' };
  }
  const protocols = (headerValue(head, 'sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return { key, protocols, extensions: headerValue(head, 'sec-websocket-extensions') };
}

/** A complete HTTP answer refusing the upgrade; the connection closes after it. */
export function refusalResponse(refusal: HandshakeRefusal): string {
  const body = `${refusal.reason}\n`;
  const lines = [
    `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? 'Error'}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(refusal.headers ?? []).map(([name, value]) => `${name}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * The 101 answer (§4.2.2), with the app's extra headers. The app picks a
 * subprotocol by adding `Sec-WebSocket-Protocol`; one the client did not
 * offer is an app error and is left out.
 */
export function acceptResponse(
  request: HandshakeRequest,
  extensions: string | null,
  extra: string[] | Record<string, string> | undefined,
): { response: string; protocol: string } {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptKey(request.key)}`,
  ];
  if (extensions) lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
  let protocol = '';
  for (const [name, value] of headerPairs(extra)) {
    if (name.toLowerCase() === 'sec-websocket-protocol') {
      if (!request.protocols.includes(value)) continue;
      protocol = value;
    }
    lines.push(`${name}: ${value}`);
  }
  return { response: `${lines.join('\r\n')}\r\n\r\n`, protocol };
}
