import { clock } from '../../timer/deadline-sweeper.js';
import type { HttpState } from './http-state.js';
import type { Response } from './response.js';
import { STATUS_TEXT } from './status-text.js';

/**
 * Building response bytes:
 *
 *     HTTP/1.1 200 OK\r\n
 *     Server: workerman\r\n
 *     Date: Wed, 25 Nov 2026 21:00:00 GMT\r\n       (RFC 9110 §6.6.1: an origin with a clock sends it)
 *     Connection: keep-alive\r\n
 *     Content-Type: text/html;charset=utf-8\r\n
 *     Content-Length: 5\r\n
 *     \r\n
 *     hello
 */

let dateSecond = -1;
let dateText = '';

/** The `Date` value, rebuilt once per second of the codec's clock. */
export function httpDate(): string {
  const second = Math.floor(clock.now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

let prefixSecond = -1;
let keepAlivePrefix = '';
let closePrefix = '';

function simplePrefix(keepAlive: boolean): string {
  const date = httpDate();
  if (dateSecond !== prefixSecond) {
    prefixSecond = dateSecond;
    const common = `HTTP/1.1 200 OK\r\nServer: workerman\r\nDate: ${date}\r\n`;
    const type = 'Content-Type: text/html;charset=utf-8\r\n';
    keepAlivePrefix = `${common}Connection: keep-alive\r\n${type}Content-Length: `;
    closePrefix = `${common}Connection: close\r\n${type}Content-Length: `;
  }
  return keepAlive ? keepAlivePrefix : closePrefix;
}

/** A 200 text/html answer for `send('body')`: the fast path. */
export function simpleResponse(
  body: string | Buffer,
  state: HttpState,
  isHead: boolean,
): string | Buffer {
  const prefix = simplePrefix(state.keepAlive);
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  // Header lines belong to the request they answer (a session's Set-Cookie).
  const extra = state.request?.takeResponseHeaders() ?? '';
  const head = extra === '' ? `${prefix}${length}\r\n\r\n` : `${prefix}${length}\r\n${extra}\r\n`;
  if (isHead) return head;
  if (typeof body === 'string') return head + body;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** A short answer to refused input; the connection closes after it. */
export function statusResponse(status: number): string {
  const text = STATUS_TEXT[status] ?? 'Error';
  const body = `<h1>${status} ${text}</h1>`;
  return `HTTP/1.1 ${status} ${text}\r\nServer: workerman\r\nDate: ${httpDate()}\r\nConnection: close\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

/** Statuses that never carry a body (RFC 9110 §6.4.1). */
function bodyless(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * What an HTTP/1.0 client cannot be sent (RFC 9112 §6.1: no chunked coding
 * to a 1.0 recipient), replaced by a body that ends where the connection does.
 */
const CLOSE_DELIMITED_OMITS = ['transfer-encoding', 'connection'] as const;

/**
 * The head of a Response, and its body when `mode` is `whole`. In `stream`
 * mode (chunked, event-stream, file) only the head: the body follows. In
 * `close-delimited` mode (a chunked answer to an HTTP/1.0 client) too, but
 * without the app's `Transfer-Encoding` and with `Connection: close`: the
 * body is delimited by the close (RFC 9112 §6.3, rule 8).
 * `contentLength` is set for files, whose length the codec computed.
 */
export function encodeResponseHead(
  response: Response,
  state: HttpState,
  mode: 'whole' | 'stream' | 'close-delimited',
  isHead: boolean,
  contentLength?: number,
): string | Buffer {
  const status = response.getStatusCode();
  let head = `HTTP/${response.getProtocolVersion()} ${status} ${response.getReasonPhrase()}\r\n`;
  if (!response.hasHeader('server')) head += 'Server: workerman\r\n';
  if (!response.hasHeader('date')) head += `Date: ${httpDate()}\r\n`;
  if (mode === 'close-delimited') head += 'Connection: close\r\n';
  else if (!response.hasHeader('connection')) {
    head += state.keepAlive ? 'Connection: keep-alive\r\n' : 'Connection: close\r\n';
  }
  const body = response.rawBody();
  const noBody = bodyless(status);
  if (!response.hasHeader('content-type') && !noBody) {
    head += 'Content-Type: text/html;charset=utf-8\r\n';
  }
  if (!noBody && !response.hasHeader('content-length')) {
    if (contentLength !== undefined) head += `Content-Length: ${contentLength}\r\n`;
    else if (mode === 'whole') {
      const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      head += `Content-Length: ${length}\r\n`;
    }
  }
  head +=
    mode === 'close-delimited'
      ? response.headerLines(CLOSE_DELIMITED_OMITS)
      : response.headerLines();
  head += state.request?.takeResponseHeaders() ?? '';
  head += '\r\n';
  if (mode !== 'whole' || isHead || noBody) return head;
  if (typeof body === 'string') return head + body;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
