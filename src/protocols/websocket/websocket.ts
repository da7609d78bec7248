import { invokeErrorCallback, reportCallbackFailure } from '../../callbacks.js';
import {
  CALLBACK_FAIL,
  ErrorCodes,
  PROTOCOL_FAIL,
  SEND_FAIL,
  WorkermanError,
} from '../../errors.js';
import { statistics } from '../../statistics.js';
import { clock, DeadlineSweeper, type HasDeadline } from '../../timer/deadline-sweeper.js';
import type { CodecConnection } from '../codec-connection.js';
import { ConnectionStatus } from '../codec-connection.js';
import { Request } from '../http/request.js';
import { type HeadLimits, parseRequestHead, type RequestHead } from '../http/request-head.js';
import { NO_MESSAGE, type Protocol } from '../protocol.js';
import { CloseCode } from './close-codes.js';
import { applyWebSocketLimit } from './defaults.js';
import { acceptDeflateOffer } from './permessage-deflate.js';
import {
  acceptResponse,
  checkUpgradeRequest,
  type HandshakeRefusal,
  type HandshakeRequest,
  refusalResponse,
} from './server-handshake.js';
import {
  BINARY_TYPE_ARRAYBUFFER,
  BINARY_TYPE_BLOB,
  closeWebSocket,
  sessionOf,
  WebSocketSession,
} from './session.js';
import type { WebSocketConnection, WebSocketFields, WebSocketSendable } from './websocket-types.js';

/**
 * A server connection's WebSocket state: the session, and what its opening
 * handshake needs. One object per connection, found through the sessions'
 * WeakMap (session.ts), so an idle connection carries no second entry.
 */
class ServerSession extends WebSocketSession implements HasDeadline {
  /** The request head `input` parsed, for `decode` to answer. */
  head: RequestHead | null = null;
  /** Inside the handshake: onWebSocketConnect is running or its promise pending. */
  handshaking = false;
  /** bytesWritten when onWebSocketConnect began: tells a raw answer by the app. */
  writtenBefore = 0;
  deadline = 0;

  constructor(connection: WebSocketConnection) {
    super(connection, false);
  }
}

/** The connection's server session, if it has one yet. */
function existing(connection: CodecConnection): ServerSession | undefined {
  return sessionOf(connection) as ServerSession | undefined;
}

function stateOf(connection: CodecConnection): ServerSession {
  return existing(connection) ?? new ServerSession(connection as WebSocketConnection);
}

/** Settings of the server codec, shared by every `websocket://` worker of the process. */
export interface WebSocketServerOptions extends HeadLimits {
  /** Accept permessage-deflate when a client offers it (RFC 7692). Default true. */
  perMessageDeflate: boolean;
  /**
   * Seconds from the connection (or `upgradeToWebSocket`) to the 101 answer:
   * the upgrade request and a pending async `onWebSocketConnect` must both
   * be done by then. A client still sending its head is cut; an app hook
   * still pending gets the client a 503. Default 30; 0 turns it off.
   */
  handshakeTimeout: number;
}

/** Connections whose handshake is not done yet, each with its `handshakeTimeout` deadline. */
const handshakes = new DeadlineSweeper<ServerSession>(handshakeTimedOut);

function watchHandshake(state: ServerSession): void {
  const seconds = Websocket.options.handshakeTimeout;
  if (!(seconds > 0)) return;
  state.deadline = clock.now + seconds * 1000;
  handshakes.add(state);
}

function forgetHandshake(state: ServerSession): void {
  state.deadline = 0;
  handshakes.delete(state);
}

function handshakeTimedOut(state: ServerSession): void {
  handshakes.delete(state);
  const connection = state.connection;
  const limit = `handshakeTimeout ${Websocket.options.handshakeTimeout} s`;
  if (state.handshaking) {
    // The app's onWebSocketConnect has not settled: the client is told, a
    // late settlement finds the connection closed and does nothing.
    state.handshaking = false;
    report(
      connection,
      CALLBACK_FAIL,
      `onWebSocketConnect did not settle on ${connection.describe()} within ${limit}`,
    );
    connection.close(
      refusalResponse({ status: 503, reason: 'the WebSocket handshake timed out' }),
      true,
    );
    return;
  }
  // Half a request head: nothing useful can be said to the client.
  report(
    connection,
    PROTOCOL_FAIL,
    `no complete WebSocket upgrade request on ${connection.describe()} within ${limit}`,
  );
  connection.destroy();
}

function report(connection: WebSocketConnection, code: number, message: string): void {
  const onError = connection.onError;
  if (onError) {
    invokeErrorCallback(connection, onError, code, new WorkermanError(ErrorCodes.TIMEOUT, message));
  }
}

function refuse(connection: WebSocketConnection, refusal: HandshakeRefusal): void {
  const error = new WorkermanError(
    ErrorCodes.BAD_PACKET,
    `WebSocket handshake refused on ${connection.describe()}: ${refusal.status} ${refusal.reason}`,
  );
  statistics.packetErr++;
  if (connection.onError) invokeErrorCallback(connection, connection.onError, PROTOCOL_FAIL, error);
  connection.close(refusalResponse(refusal), true);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** Answers 101 unless the app closed the connection meanwhile, then `onWebSocketConnected`. */
function finishHandshake(
  connection: WebSocketConnection,
  state: ServerSession,
  request: HandshakeRequest,
  httpRequest: Request,
): void {
  state.handshaking = false;
  if (connection.getStatus() !== ConnectionStatus.ESTABLISHED) return;
  forgetHandshake(state);
  const deflate = Websocket.options.perMessageDeflate
    ? acceptDeflateOffer(request.extensions)
    : null;
  const { response } = acceptResponse(request, deflate?.response ?? null, connection.headers);
  connection.send(response, true);
  state.start(deflate?.parameters ?? null);
  const onConnected =
    connection.onWebSocketConnected ?? workerHooks(connection)?.onWebSocketConnected;
  if (onConnected) callHook(connection, 'onWebSocketConnected', onConnected, httpRequest);
}

/** The worker's WebSocket hooks, the defaults of its connections (a Worker declares the fields). */
function workerHooks(
  connection: WebSocketConnection,
): WebSocketFields<WebSocketConnection, Request> | null {
  return connection.worker as WebSocketFields<WebSocketConnection, Request> | null;
}

function callHook(
  connection: WebSocketConnection,
  name: string,
  hook: (connection: WebSocketConnection, request: Request) => unknown,
  request: Request,
): unknown {
  try {
    return hook(connection, request);
  } catch (error) {
    reportCallbackFailure(connection, name, error);
    return undefined;
  }
}

/** Handles the upgrade request `input` found: refuse, or ask the app and answer 101. */
function handshake(connection: WebSocketConnection, head: RequestHead, parsed?: Request): void {
  const state = stateOf(connection);
  const checked = checkUpgradeRequest(head);
  if ('status' in checked) {
    refuse(connection, checked);
    return;
  }
  const request = parsed ?? new Request(head, connection);
  const onConnect = connection.onWebSocketConnect ?? workerHooks(connection)?.onWebSocketConnect;
  if (!onConnect) {
    finishHandshake(connection, state, checked, request);
    return;
  }
  state.handshaking = true;
  state.writtenBefore = connection.bytesWritten;
  const result = callHook(connection, 'onWebSocketConnect', onConnect, request);
  if (!isThenable(result)) {
    finishHandshake(connection, state, checked, request);
    return;
  }
  // An async check (a token lookup...): frames wait, unread, until it settles.
  connection.pauseRecv();
  result.then(
    () => {
      finishHandshake(connection, state, checked, request);
      connection.resumeRecv();
    },
    (error: unknown) => {
      reportCallbackFailure(connection, 'onWebSocketConnect', error);
      state.handshaking = false;
      connection.close(refusalResponse({ status: 403, reason: 'rejected' }), true);
    },
  );
}

/**
 * The WebSocket server codec (RFC 6455) behind `websocket://`: the opening
 * handshake (through the HTTP request-head parser), then frames. Messages
 * arrive in `onMessage` as a string (text) or a Buffer (binary); `send`
 * takes a string, bytes or `{ type, data }` (see `WebSocketSendable`).
 * `close()` sends a Close frame (1000) first.
 */
export const Websocket: Protocol<string | Buffer, WebSocketSendable> & {
  readonly BINARY_TYPE_BLOB: string;
  readonly BINARY_TYPE_ARRAYBUFFER: string;
  options: WebSocketServerOptions;
} = {
  BINARY_TYPE_BLOB,
  BINARY_TYPE_ARRAYBUFFER,
  options: {
    maxHeaderBytes: 16 * 1024,
    maxRequestLineBytes: 8 * 1024,
    perMessageDeflate: true,
    handshakeTimeout: 30,
  },
  decodeCopiesPacket: true,

  onConnect(connection) {
    applyWebSocketLimit(connection as WebSocketConnection);
    watchHandshake(stateOf(connection));
  },

  input(buffer, connection) {
    const state = stateOf(connection);
    if (state.open) return state.measure(buffer);
    if (state.handshaking) return 0;
    const result = parseRequestHead(buffer, Websocket.options);
    if (result === null) return 0;
    if (!result.ok) {
      refuse(connection as WebSocketConnection, { status: result.status, reason: result.reason });
      return 0;
    }
    state.head = result.head;
    return result.head.headBytes;
  },

  decode(packet, connection) {
    const state = stateOf(connection);
    if (state.open) return state.frame(packet);
    const head = state.head;
    state.head = null;
    if (head) handshake(connection as WebSocketConnection, head);
    return NO_MESSAGE;
  },

  encode(data, connection) {
    const state = stateOf(connection);
    if (state.open) return state.encode(data);
    // Before the 101 answer (e.g. from onWebSocketConnect): sent right after it.
    if (!state.queue(data)) {
      const conn = connection as WebSocketConnection;
      const error = new WorkermanError(
        ErrorCodes.SEND_BUFFER_FULL,
        `send queue full on ${conn.describe()} before the WebSocket handshake (maxSendBufferSize ${conn.maxSendBufferSize}); the message was dropped`,
      );
      if (conn.onError) invokeErrorCallback(conn, conn.onError, SEND_FAIL, error);
    }
    return '';
  },

  sharedEncodingKey(connection) {
    return existing(connection)?.sharedEncodingKey() ?? null;
  },

  encodeShared(data, connection) {
    return stateOf(connection).encodeShared(data);
  },

  onClosing(connection) {
    const state = existing(connection);
    if (state === undefined) return null;
    if (state.open) return state.closingFrame();
    // Closed by the app inside onWebSocketConnect without an answer of its own: 403.
    const conn = connection as WebSocketConnection;
    if (state.handshaking && conn.bytesWritten === state.writtenBefore) {
      state.handshaking = false;
      return refusalResponse({ status: 403, reason: 'the WebSocket upgrade was refused' });
    }
    return null;
  },

  onDrain(connection) {
    const state = existing(connection);
    if (state === undefined || (!state.open && !state.handshaking)) {
      // No handshake done or under way: nothing was asked that needs an answer.
      connection.close();
      return;
    }
    state.goAway();
  },

  onGoingAway(connection) {
    closeWebSocket(connection, CloseCode.GOING_AWAY, 'server going away');
  },

  onClose(connection) {
    const state = existing(connection);
    if (state === undefined) return;
    forgetHandshake(state);
    state.stop();
  },
};

/**
 * Runs the WebSocket handshake for an HTTP request on a connection that has
 * just switched to this codec (see connection/upgrade-to-websocket.ts): its
 * checks, `onWebSocketConnect`, the 101 answer.
 */
export function acceptUpgrade(connection: WebSocketConnection, request: Request): void {
  handshake(connection, request.head, request);
  // The HTTP codec holds later bytes unread while a request is with the app.
  if (!stateOf(connection).handshaking) connection.resumeRecv();
}
