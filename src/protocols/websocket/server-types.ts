import type { WorkerOptions, WorkerTcpConnection } from '../../worker/worker-options.js';
import type { Request } from '../http/request.js';
import type { WebSocketFields } from './websocket-types.js';

// The server side of the WebSocket fields: `onWebSocketConnect` and
// `onWebSocketConnected` get the upgrade request as an HTTP `Request`, and a
// Worker carries the defaults for the connections it accepts.
declare module './websocket-types.js' {
  interface WebSocketHandshakeHeads {
    server: Request;
  }
}
declare module '../../worker/worker.js' {
  interface Worker<Address extends string = string, Options extends WorkerOptions = WorkerOptions>
    extends WebSocketFields<WorkerTcpConnection<Address, Options>, Request> {}
}
