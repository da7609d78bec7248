import type { Callback } from '../../callbacks.js';
import type { StreamCodecConnection } from '../codec-connection.js';
import type { Request } from '../http/request.js';

/** A message with its frame type chosen per send: `connection.send({ type: 'binary', data })`. */
export interface WebSocketMessage {
  type: 'text' | 'binary';
  data: string | Uint8Array;
}

/**
 * What a WebSocket connection's `send` takes: a string goes as text (binary
 * when `websocketType` is `BINARY_TYPE_ARRAYBUFFER`), bytes go as binary,
 * a `WebSocketMessage` as it says.
 */
export type WebSocketSendable = string | Uint8Array | WebSocketMessage;

/** The server's answer to a client handshake, as `onWebSocketConnect` of a `ws://` client sees it. */
export interface WebSocketResponse {
  /** 101 */
  status: number;
  /** Header names lower-cased, in order. */
  headers: [name: string, value: string][];
  /** The subprotocol the server chose, or `''`. */
  protocol: string;
  /** The first value of a header, by case-insensitive name. */
  header(name: string): string | undefined;
}

/**
 * What `onWebSocketConnect` receives, by side: the server (`websocket://`,
 * or an HTTP request upgraded) gets the upgrade request as an HTTP
 * `Request`; a client (`ws://`, `wss://`) gets the server's answer.
 */
export type WebSocketHandshakeHead = Request | WebSocketResponse;

/**
 * The WebSocket settings and hooks, on a connection (they win) and on its
 * Worker (the default for every connection it accepts), as in the origin.
 * `C` is the connection the hooks receive, `Head` what the handshake hooks
 * receive: `Request` on a Worker, `WebSocketResponse` on an outbound
 * connection, either on a `TcpConnection`. The classes declare these fields
 * themselves (`implements WebSocketFields<...>`).
 */
export interface WebSocketFields<C, Head = WebSocketHandshakeHead> {
  /**
   * Server: called with the upgrade request before the 101 answer. The app may
   * read path, query, headers and cookies; reject by `connection.close()` (or
   * a raw HTTP answer: `connection.close('HTTP/1.1 403 Forbidden\r\n\r\n', true)`);
   * choose a subprotocol and add headers through `connection.headers`.
   * A returned promise is awaited before answering.
   * Client: called once the server's 101 answer was checked.
   */
  onWebSocketConnect?: Callback<[connection: C, request: Head]> | null;
  /** Server: called after the 101 answer was sent. */
  onWebSocketConnected?: Callback<[connection: C, request: Head]> | null;
  /** A ping arrived; without this hook a pong is answered automatically. */
  onWebSocketPing?: Callback<[connection: C, data: Buffer]> | null;
  onWebSocketPong?: Callback<[connection: C, data: Buffer]> | null;
  /** The peer sent a Close frame (1005 when it carried no code); the close is then answered. */
  onWebSocketClose?: Callback<[connection: C, code: number, reason: string]> | null;
  /** `BINARY_TYPE_BLOB` ("\x81", default): strings go as text; `BINARY_TYPE_ARRAYBUFFER` ("\x82"): as binary. */
  websocketType?: string;
  /** Seconds between keepalive pings; a peer silent for a whole interval is cut. 0/unset: none. */
  websocketPingInterval?: number;
  /**
   * Extra handshake headers: `['Name: value', ...]` or `{ Name: 'value' }`.
   * Server: set in `onWebSocketConnect` (a `Sec-WebSocket-Protocol` here picks
   * the subprotocol). Client: sent with the upgrade request.
   */
  headers?: string[] | Record<string, string>;
  /** Client: the `Origin` header sent. */
  websocketOrigin?: string;
  /** Client: the subprotocols offered (`Sec-WebSocket-Protocol`), comma-separated. */
  websocketClientProtocol?: string;
}

/** A connection as the WebSocket codecs see it: a stream connection with the WebSocket fields. */
export interface WebSocketConnection
  extends StreamCodecConnection,
    WebSocketFields<WebSocketConnection, unknown> {}

/** An outbound connection (`ws://`, `wss://`) as the client codec sees it. */
export interface WebSocketClientConnection
  extends StreamCodecConnection,
    WebSocketFields<WebSocketClientConnection, unknown> {
  /** The host the client connected to (the `Host` of the upgrade request). */
  getRemoteHost(): string;
  /** The path and query of the address (`/chat?room=1`). */
  getRemoteResource(): string;
}

declare module '../protocol.js' {
  interface SchemeTypes {
    websocket: { decoded: string | Buffer; encodable: WebSocketSendable };
    ws: { decoded: string | Buffer; encodable: WebSocketSendable };
    wss: { decoded: string | Buffer; encodable: WebSocketSendable };
  }
}
