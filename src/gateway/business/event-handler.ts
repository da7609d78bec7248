import type { ClientContext } from './gateway-client-context.js';

/** The upgrade request of a WebSocket client, as its gateway saw it. */
export interface WebSocketHandshake {
  method: string;
  uri: string;
  path: string;
  queryString: string;
  /** Query fields, nested as PHP's `$_GET`. */
  query: Record<string, unknown>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  cookies: Record<string, string>;
}

/**
 * The application, run by business workers (the origin's `Events` class).
 * Each callback may return a promise; the client's session changes are sent
 * back once it settles. A throw or rejection is logged, and the worker goes on.
 * `Message` is what the gateway's codec decodes: `string` for `text://` and
 * WebSocket text frames, `Buffer` for binary frames and raw `tcp://`.
 */
export interface BusinessEventHandler<Worker = unknown, Message = string | Buffer> {
  onWorkerStart?(worker: Worker): unknown;
  onConnect?(client: ClientContext): unknown;
  onWebSocketConnect?(client: ClientContext, request: WebSocketHandshake): unknown;
  onMessage?(client: ClientContext, message: Message): unknown;
  onClose?(client: ClientContext): unknown;
  onWorkerStop?(worker: Worker): unknown;
}
