import { invokeErrorCallback } from '../../callbacks.js';
import { ErrorCodes, PROTOCOL_FAIL, SEND_FAIL, WorkermanError } from '../../errors.js';
import { debugConnection } from '../../log.js';
import { statistics } from '../../statistics.js';
import { clock } from '../../timer/deadline-sweeper.js';
import { NO_MESSAGE, type Protocol } from '../protocol.js';
import { bodyFraming } from './body-framing.js';
import { Chunk } from './chunk.js';
import { ChunkedBodyScanner, SCAN_INCOMPLETE, SCAN_INVALID } from './chunked-body.js';
import { settleKeepAlive, startDraining } from './drain.js';
import { sendFileResponse } from './file-response.js';
import {
  createState,
  dropState,
  finishRequest,
  type HttpConnection,
  type HttpState,
  Phase,
  stateOf,
} from './http-state.js';
import { Request } from './request.js';
import { parseRequestHead, type RequestHead } from './request-head.js';
import { Response } from './response.js';
import { encodeResponseHead, simpleResponse, statusResponse } from './response-head.js';
import { ServerSentEvents } from './server-sent-events.js';

/** What `connection.send` takes on an `http://` connection. */
export type HttpSendable = string | Buffer | Response | Chunk | ServerSentEvents;

declare module '../protocol.js' {
  interface SchemeTypes {
    http: { decoded: Request; encodable: HttpSendable };
  }
}

/**
 * Limits and timeouts of every `http://` connection in this process.
 * Timeouts are in seconds; 0 turns one off.
 */
export interface HttpOptions {
  /** Bytes of a request head (request-line, fields, final empty line): over it, 431. */
  maxHeaderBytes: number;
  /** Bytes of the request-line: over it, 414. */
  maxRequestLineBytes: number;
  /** A head must be complete this long after its first byte. */
  headerTimeout: number;
  /** A body must be complete this long after its head. */
  bodyTimeout: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeout: number;
  /** A response stalled by a peer that does not read is cut after this long. */
  sendTimeout: number;
  /**
   * When the process stops accepting (reload, stop), an idle keep-alive
   * connection stays open this long, so a request already on its way is
   * answered (with `Connection: close`) instead of finding the connection
   * closed; then it closes (see drain.ts). 0: close idle ones at once.
   */
  drainGrace: number;
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const EMPTY = Buffer.alloc(0);

/**
 * `http://`: HTTP/1.0 and 1.1 requests in, responses out.
 *
 *     const worker = new Worker('http://0.0.0.0:8080');
 *     worker.onMessage = (connection, request) => connection.send(`hi ${request.path()}`);
 *
 * Requests on one connection are answered in order: while one is with the
 * app, later pipelined requests wait unread. The body is complete before
 * `onMessage` (bounded by `maxPackageSize`, 413 beyond). Each request gets
 * exactly one answer: a send with no request waiting for one is dropped and
 * reported (`WM_ERR_NO_REQUEST_TO_ANSWER`), never taken by the client as
 * the answer to its next request.
 */
export const Http: Protocol<Request, HttpSendable> & { options: HttpOptions } = {
  options: {
    maxHeaderBytes: 16 * 1024,
    maxRequestLineBytes: 8 * 1024,
    headerTimeout: 30,
    bodyTimeout: 60,
    keepAliveTimeout: 60,
    sendTimeout: 60,
    drainGrace: 1,
  },

  onConnect(connection) {
    const state = createState(connection as HttpConnection);
    const timeout = Http.options.headerTimeout;
    state.deadline = timeout > 0 ? clock.now + timeout * 1000 : 0;
  },

  onClose(connection) {
    dropState(connection as HttpConnection);
  },

  onDrain(connection) {
    startDraining(stateOf(connection as HttpConnection), Http.options.drainGrace * 1000);
  },

  /**
   * The client half-closed (sent its FIN) after its requests. Every request
   * received before it is answered, in order, the last with
   * `Connection: close`, then the connection closes (finishRequest). With
   * none with the app, no complete request is left (it would have been
   * delivered) and nothing more can come: close now.
   */
  onPeerEnd(connection) {
    const state = stateOf(connection as HttpConnection);
    state.peerEnded = true;
    if (state.request === null) connection.close();
  },

  input(buffer, connection) {
    const state = stateOf(connection as HttpConnection);
    if (state.request !== null) {
      // The previous request is not answered yet: later ones wait unread.
      state.pausedForOrder = true;
      state.connection.pauseRecv();
      return 0;
    }
    const options = Http.options;
    if (state.phase === Phase.IDLE) {
      state.phase = Phase.HEAD;
      state.deadline = options.headerTimeout > 0 ? clock.now + options.headerTimeout * 1000 : 0;
    }
    if (state.head === null) return measureHead(state, buffer, options);
    return measureChunked(state, buffer);
  },

  decode(packet, connection) {
    const state = stateOf(connection as HttpConnection);
    const head = state.head;
    if (head === null) return NO_MESSAGE;
    state.head = null;
    const headBytes = head.headBytes;
    let body: Buffer = EMPTY;
    if (state.scanner !== null) {
      body = state.scanner.body(packet);
      state.scanner = null;
    } else if (state.bodyLength > 0) {
      body = packet.subarray(headBytes, headBytes + state.bodyLength);
    }
    // A bodyless packet is its head: no view to make (the common GET).
    const rawHead = packet.length === headBytes ? packet : packet.subarray(0, headBytes);
    const request = new Request(head, connection, rawHead, body);
    state.request = request;
    state.keepAlive = wantsKeepAlive(head);
    state.phase = Phase.HANDLING;
    state.deadline = 0;
    return request;
  },

  encode(data, connection) {
    const state = stateOf(connection as HttpConnection);
    if (typeof data === 'string' || Buffer.isBuffer(data)) {
      switch (state.streaming) {
        case 'none':
          break;
        case 'bodiless':
          return EMPTY;
        case 'file':
          return refuseSend(state, 'a file is being sent as the answer');
        default:
          return data; // raw bytes inside an open stream
      }
      const request = state.request;
      if (request === null) return refuseSend(state, 'no request is waiting for an answer');
      if (state.draining || state.peerEnded) settleKeepAlive(state);
      const head = simpleResponse(data, state, request.method() === 'HEAD');
      finishRequest(state, Http.options.keepAliveTimeout * 1000);
      return head;
    }
    if (data instanceof Chunk) return encodeChunk(state, data);
    if (data instanceof ServerSentEvents) {
      if (state.streaming === 'events') return data.toString();
      if (state.streaming === 'bodiless') return EMPTY;
      return refuseSend(state, 'no event stream is open (send its Response first)');
    }
    if (data instanceof Response) {
      if (state.request === null) return refuseSend(state, 'no request is waiting for an answer');
      if (state.streaming !== 'none') {
        return refuseSend(state, 'the answer to this request has already begun');
      }
      return encodeResponse(state, data);
    }
    throw new TypeError(
      'an http:// connection sends a string, a Buffer, a Response, a Chunk or ServerSentEvents',
    );
  },
};

/**
 * A send that would put bytes on the wire with no request to carry them:
 * the client would read them as the answer to its next request (a late
 * async answer after a quick one, a second `send`). Dropped, and the app
 * told (`onError` with `SEND_FAIL` / `WM_ERR_NO_REQUEST_TO_ANSWER`).
 */
function refuseSend(state: HttpState, why: string): Buffer {
  const connection = state.connection;
  const error = new WorkermanError(
    ErrorCodes.NO_REQUEST_TO_ANSWER,
    `send dropped on ${connection.describe()}: ${why}`,
  );
  const onError = connection.onError;
  if (onError) invokeErrorCallback(connection, onError, SEND_FAIL, error);
  else debugConnection('%s', error.message);
  return EMPTY;
}

/** A piece of an open streamed answer; the empty Chunk ends it (and the request). */
function encodeChunk(state: HttpState, chunk: Chunk): Buffer {
  let bytes: Buffer;
  switch (state.streaming) {
    case 'chunked':
      bytes = chunk.encode();
      break;
    case 'close-delimited':
      bytes = chunk.data;
      break;
    case 'bodiless':
      bytes = EMPTY;
      break;
    default:
      return refuseSend(state, 'no chunked response is open (send its Response first)');
  }
  if (chunk.data.length === 0) finishRequest(state, Http.options.keepAliveTimeout * 1000);
  return bytes;
}

function measureHead(state: HttpState, buffer: Buffer, options: HttpOptions): number {
  const result = parseRequestHead(buffer, options, state.searchFrom);
  if (result === null) {
    state.searchFrom = buffer.length;
    return 0;
  }
  state.searchFrom = 0;
  if (!result.ok) return refuse(state, result.status, result.reason);
  const head = result.head;
  const framing = bodyFraming(head);
  if (framing.kind === 'invalid') return refuse(state, 400, framing.reason);
  const limit = state.connection.maxPackageSize;
  if (framing.kind === 'length') {
    const total = head.headBytes + framing.length;
    if (total > limit) return refuse(state, 413, `body of ${framing.length} bytes`, limit);
    state.head = head;
    state.bodyLength = framing.length;
    state.scanner = null;
    if (buffer.length < total) waitForBody(state, head);
    return total;
  }
  state.head = head;
  state.bodyLength = 0;
  state.scanner = new ChunkedBodyScanner(head.headBytes);
  const end = measureChunked(state, buffer);
  if (end === 0 && state.head !== null) waitForBody(state, head);
  return end;
}

function measureChunked(state: HttpState, buffer: Buffer): number {
  const scanner = state.scanner as ChunkedBodyScanner;
  const limit = state.connection.maxPackageSize;
  const end = scanner.scan(buffer, limit);
  if (end === SCAN_INVALID) {
    state.head = null;
    if (scanner.tooLarge) return refuse(state, 413, 'chunked body', limit);
    return refuse(state, 400, scanner.reason);
  }
  if (end === SCAN_INCOMPLETE) {
    if (buffer.length >= limit) {
      state.head = null;
      return refuse(state, 413, 'chunked body', limit);
    }
    return 0;
  }
  if (end > limit) {
    state.head = null;
    return refuse(state, 413, 'chunked body', limit);
  }
  return end;
}

/** The head is in, the body is not: body timeout, and `100 Continue` when asked (RFC 9110 §10.1.1). */
function waitForBody(state: HttpState, head: RequestHead): void {
  state.phase = Phase.BODY;
  const timeout = Http.options.bodyTimeout;
  state.deadline = timeout > 0 ? clock.now + timeout * 1000 : 0;
  if (head.version !== '1.1') return;
  for (const [name, value] of head.headers) {
    if (name === 'expect' && value.toLowerCase() === '100-continue') {
      state.connection.send(CONTINUE, true);
      return;
    }
  }
}

/**
 * Bad input: answer the status, close this connection only, and tell the app
 * through `onError` (which connection, which limit).
 */
function refuse(state: HttpState, status: number, reason: string, limit?: number): number {
  const connection = state.connection;
  state.head = null;
  state.scanner = null;
  const detail =
    status === 413
      ? `${reason} over maxPackageSize ${limit}`
      : status === 431
        ? `${reason} (Http.options.maxHeaderBytes)`
        : status === 414
          ? `${reason} (Http.options.maxRequestLineBytes)`
          : reason;
  const error = new WorkermanError(
    status === 413 ? ErrorCodes.PACKAGE_TOO_LARGE : ErrorCodes.BAD_PACKET,
    `HTTP ${status} on ${connection.describe()}: ${detail}`,
  );
  connection.close(statusResponse(status), true);
  statistics.packetErr++;
  const onError = connection.onError;
  if (onError) invokeErrorCallback(connection, onError, PROTOCOL_FAIL, error);
  return 0;
}

/** HTTP/1.1 keeps the connection unless `close`; HTTP/1.0 closes unless `keep-alive` (RFC 9112 §9.3). */
function wantsKeepAlive(head: RequestHead): boolean {
  let tokens = '';
  for (const [name, value] of head.headers) {
    if (name === 'connection') tokens += `,${value.toLowerCase()}`;
  }
  if (tokens === '') return head.version === '1.1';
  if (/(?:^|,)\s*close\s*(?=,|$)/.test(tokens)) return false;
  return head.version === '1.1' || /(?:^|,)\s*keep-alive\s*(?=,|$)/.test(tokens);
}

/** The answer to `state.request` (not null): whole, or the head of a streamed one. */
function encodeResponse(state: HttpState, response: Response): string | Buffer {
  if (state.draining || state.peerEnded) settleKeepAlive(state);
  const request = state.request as Request;
  const isHead = request.method() === 'HEAD';
  if (response.getHeader('connection')?.toLowerCase().includes('close')) state.keepAlive = false;
  if (response.file !== null) {
    state.streaming = 'file';
    sendFileResponse(state, response, Http.options);
    return '';
  }
  const contentType = response.getHeader('content-type') ?? '';
  if (response.getHeader('transfer-encoding')?.toLowerCase().includes('chunked')) {
    // HEAD: the head only; the chunks the app sends are dropped, the last one
    // ends the answer, as for GET.
    if (isHead) {
      state.streaming = 'bodiless';
      return encodeResponseHead(response, state, 'stream', true);
    }
    if (request.protocolVersion() === '1.0') {
      // RFC 9112 §6.1: a server MUST NOT send chunked to an HTTP/1.0 client.
      // The chunks' bytes go bare and the close ends the body.
      state.streaming = 'close-delimited';
      state.keepAlive = false;
      return encodeResponseHead(response, state, 'close-delimited', false);
    }
    state.streaming = 'chunked';
    return encodeResponseHead(response, state, 'stream', false);
  }
  if (contentType.toLowerCase().startsWith('text/event-stream')) {
    // The connection is held open for events; nothing after it is read.
    state.streaming = isHead ? 'bodiless' : 'events';
    state.keepAlive = false;
    return encodeResponseHead(response, state, 'stream', isHead);
  }
  const bytes = encodeResponseHead(response, state, 'whole', isHead);
  finishRequest(state, Http.options.keepAliveTimeout * 1000);
  return bytes;
}
