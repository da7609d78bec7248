import type { Callback } from '../../connection/connection.js';
import type { TcpConnection } from '../../connection/tcp-connection.js';

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
 * The WebSocket settings and hooks, on a connection (they win) and on its
 * Worker (the default for every connection it accepts), as in the origin.
 */
/**
 * What `onWebSocketConnect` receives, by side: a client gets the server's
 * answer; the server side (`websocket://`) adds its HTTP `Request` here.
 */
export interface WebSocketHandshakeHeads {
  client: WebSocketResponse;
}
export type WebSocketHandshakeHead = WebSocketHandshakeHeads[keyof WebSocketHandshakeHeads];

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

/** A connection as the codecs see it: a TcpConnection with the WebSocket fields. */
export type WebSocketConnection = TcpConnection<unknown, unknown>;

// The fields join the classes by declaration merging: an AsyncTcpConnection
// connects (its onWebSocketConnect gets the server's WebSocketResponse); a
// TcpConnection may be either side, so its hooks take either. The Worker
// (server side, with the HTTP Request) is augmented in server-types.ts.
declare module '../../connection/tcp-connection.js' {
  interface TcpConnection<Decoded = unknown, Encodable = unknown, Context extends object = object>
    extends WebSocketFields<TcpConnection<Decoded, Encodable, Context>> {}
}
declare module '../../connection/async-tcp-connection.js' {
  interface AsyncTcpConnection<Address extends string = string> {
    /** Called once the server's 101 answer was checked; messages may be sent from here. */
    onWebSocketConnect?: Callback<[connection: this, response: WebSocketResponse]> | null;
  }
}

declare module '../protocol.js' {
  interface SchemeTypes {
    websocket: { decoded: string | Buffer; encodable: WebSocketSendable };
    ws: { decoded: string | Buffer; encodable: WebSocketSendable };
    wss: { decoded: string | Buffer; encodable: WebSocketSendable };
  }
}
