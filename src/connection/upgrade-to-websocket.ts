import type { Request } from '../protocols/http/request.js';
import type { Protocol } from '../protocols/protocol.js';
import { acceptUpgrade, Websocket } from '../protocols/websocket/websocket.js';
import type { WebSocketSendable } from '../protocols/websocket/websocket-types.js';
import type { TcpConnection } from './tcp-connection.js';

/**
 * Upgrades a request received by an `http://` worker to WebSocket on the
 * same connection (same port): call it from `onMessage` with the request;
 * the handshake then runs as on a `websocket://` worker (its checks,
 * `onWebSocketConnect`, the 101 answer). Returns the connection typed for
 * WebSocket messages; set its `onMessage` for them.
 *
 *     http.onMessage = (connection, request) => {
 *       if (request.header('upgrade')?.toLowerCase() === 'websocket') {
 *         upgradeToWebSocket(connection, request).onMessage = (ws, data) => ws.send(data);
 *       } else connection.send('plain HTTP');
 *     };
 */
export function upgradeToWebSocket(
  connection: TcpConnection<unknown, unknown>,
  request: Request,
): TcpConnection<string | Buffer, WebSocketSendable> {
  const upgraded = connection as TcpConnection<string | Buffer, WebSocketSendable>;
  // Websocket.onConnect applies the WebSocket message limit.
  upgraded.switchProtocol(Websocket as Protocol<unknown, unknown>);
  acceptUpgrade(upgraded, request);
  return upgraded;
}
