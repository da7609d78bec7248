import { invokeErrorCallback, reportCallbackFailure } from '../../callbacks.js';
import { ErrorCodes, PROTOCOL_FAIL, SEND_FAIL, WorkermanError } from '../../errors.js';
import { statistics } from '../../statistics.js';
import type { CodecConnection } from '../codec-connection.js';
import { NO_MESSAGE, type Protocol } from '../protocol.js';
import {
  checkServerResponse,
  clientRequest,
  newClientKey,
  responseHeadLength,
} from './client-handshake.js';
import { applyWebSocketLimit } from './defaults.js';
import { CLIENT_OFFER, checkDeflateResponse } from './permessage-deflate.js';
import { WebSocketSession } from './session.js';
import type {
  WebSocketClientConnection,
  WebSocketConnection,
  WebSocketSendable,
} from './websocket-types.js';

/** Largest handshake answer a client accepts. */
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

interface ClientState {
  session: WebSocketSession;
  key: string;
  protocols: string | undefined;
}

const states = new WeakMap<CodecConnection, ClientState>();

function stateOf(connection: CodecConnection): ClientState {
  let state = states.get(connection);
  if (state === undefined) {
    const conn = connection as WebSocketConnection;
    state = { session: new WebSocketSession(conn, true), key: '', protocols: undefined };
    states.set(connection, state);
  }
  return state;
}

function refuse(connection: CodecConnection, why: string): void {
  const conn = connection as WebSocketConnection;
  const error = new WorkermanError(
    ErrorCodes.BAD_PACKET,
    `WebSocket handshake with ${conn.describe()} failed: ${why}`,
  );
  statistics.packetErr++;
  if (conn.onError) invokeErrorCallback(conn, conn.onError, PROTOCOL_FAIL, error);
  conn.destroy();
}

/**
 * The WebSocket client codec (RFC 6455 §4.1 and §5) behind
 * `new AsyncTcpConnection('ws://host:port/path')`; `Wss` is the same over TLS.
 * On connect it sends the upgrade request (with `headers`,
 * `websocketOrigin`, `websocketClientProtocol`), checks the answer, then
 * calls `onWebSocketConnect(connection, response)`. Messages sent before
 * that wait and leave right after it. Frames it sends are masked.
 * Each (re)connect runs a fresh handshake.
 */
export const Ws: Protocol<string | Buffer, WebSocketSendable> = {
  decodeCopiesPacket: true,

  onConnect(connection) {
    const conn = connection as WebSocketClientConnection;
    const previous = states.get(connection);
    // Messages queued before the first connect are kept; a reconnect after
    // an open session starts clean.
    const session =
      previous && !previous.session.open ? previous.session : new WebSocketSession(conn, true);
    applyWebSocketLimit(conn);
    const key = newClientKey();
    const protocols = conn.websocketClientProtocol;
    states.set(connection, { session, key, protocols });
    conn.send(
      clientRequest({
        host: conn.getRemoteHost(),
        port: conn.getRemotePort(),
        tls: conn.transport === 'ssl',
        resource: conn.getRemoteResource(),
        key,
        origin: conn.websocketOrigin,
        protocols,
        extensions: CLIENT_OFFER,
        headers: conn.headers,
      }),
      true,
    );
  },

  input(buffer, connection) {
    const { session } = stateOf(connection);
    if (session.open) return session.measure(buffer);
    const length = responseHeadLength(buffer);
    if (length === 0 && buffer.length > MAX_RESPONSE_HEAD_BYTES) {
      refuse(connection, `answer head over ${MAX_RESPONSE_HEAD_BYTES} bytes`);
    }
    return length;
  },

  decode(packet, connection) {
    const state = stateOf(connection);
    const session = state.session;
    if (session.open) return session.frame(packet);
    const response = checkServerResponse(packet, state.key, state.protocols);
    if (typeof response === 'string') {
      refuse(connection, response);
      return NO_MESSAGE;
    }
    const deflate = checkDeflateResponse(response.header('sec-websocket-extensions'));
    if (typeof deflate === 'string') {
      refuse(connection, deflate);
      return NO_MESSAGE;
    }
    session.start(deflate);
    const conn = connection as WebSocketClientConnection;
    const onConnected = conn.onWebSocketConnect;
    if (onConnected) {
      try {
        const result: unknown = onConnected(conn, response);
        if (result instanceof Promise) {
          result.catch((error: unknown) =>
            reportCallbackFailure(conn, 'onWebSocketConnect', error),
          );
        }
      } catch (error) {
        reportCallbackFailure(conn, 'onWebSocketConnect', error);
      }
    }
    return NO_MESSAGE;
  },

  encode(data, connection) {
    const { session } = stateOf(connection);
    if (session.open) return session.encode(data);
    if (!session.queue(data)) {
      const conn = connection as WebSocketConnection;
      const error = new WorkermanError(
        ErrorCodes.SEND_BUFFER_FULL,
        `send queue full on ${conn.describe()} before the WebSocket handshake (maxSendBufferSize ${conn.maxSendBufferSize}); the message was dropped`,
      );
      if (conn.onError) invokeErrorCallback(conn, conn.onError, SEND_FAIL, error);
    }
    return '';
  },

  onClosing(connection) {
    return states.get(connection)?.session.closingFrame() ?? null;
  },

  onClose(connection) {
    states.get(connection)?.session.stop();
  },
};

/** `wss://`: the WebSocket client over TLS. */
export const Wss: Protocol<string | Buffer, WebSocketSendable> = { ...Ws, transport: 'ssl' };
