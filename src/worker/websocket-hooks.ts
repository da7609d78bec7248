import type { Request } from '../protocols/http/request.js';
import type { WebSocketFields } from '../protocols/websocket/websocket-types.js';
import type { WorkerOptions, WorkerTcpConnection } from './worker-options.js';

// The server side of the WebSocket fields: `onWebSocketConnect` and
// `onWebSocketConnected` get the upgrade request as an HTTP `Request`, and a
// Worker carries the defaults for the connections it accepts.
declare module '../protocols/websocket/websocket-types.js' {
  interface WebSocketHandshakeHeads {
    server: Request;
  }
}
declare module './worker.js' {
  interface Worker<Address extends string = string, Options extends WorkerOptions = WorkerOptions>
    extends WebSocketFields<WorkerTcpConnection<Address, Options>, Request> {}
}
