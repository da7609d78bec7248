import type { ConnectionInterface } from '../../connection/connection.js';
import { type HttpConnection, queueHeader } from './http-state.js';

/**
 * Adds a header line (`Name: value\r\n`) to the next response sent on an
 * `http://` connection; on any other connection (a WebSocket upgrade) it is dropped.
 */
export function addResponseHeader(connection: ConnectionInterface, line: string): void {
  queueHeader(connection as HttpConnection, line);
}
