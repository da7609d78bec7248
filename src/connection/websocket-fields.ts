import type { Callback } from '../callbacks.js';
import type { WebSocketFields, WebSocketResponse } from '../protocols/websocket/websocket-types.js';

// The WebSocket fields join the connection classes by declaration merging,
// from this layer (a connection may carry a codec's settings; the codec never
// imports the connection): an AsyncTcpConnection connects (its
// onWebSocketConnect gets the server's WebSocketResponse); a TcpConnection
// may be either side, so its hooks take either. The Worker (server side,
// with the HTTP Request) is augmented in worker/websocket-hooks.ts.
declare module './tcp-connection.js' {
  interface TcpConnection<Decoded = unknown, Encodable = unknown, Context extends object = object>
    extends WebSocketFields<TcpConnection<Decoded, Encodable, Context>> {}
}
declare module './async-tcp-connection.js' {
  interface AsyncTcpConnection<Address extends string = string> {
    /** Called once the server's 101 answer was checked; messages may be sent from here. */
    onWebSocketConnect?: Callback<[connection: this, response: WebSocketResponse]> | null;
  }
}
