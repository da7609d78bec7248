import type { TestContext } from 'node:test';
import type { AsyncTcpConnection } from '../../src/index.js';

/**
 * Connects our ws:// client (destroyed when the test ends) and resolves,
 * once its handshake is done, with the server's Sec-WebSocket-Extensions.
 */
export async function connectWebSocketClient(
  t: TestContext,
  client: AsyncTcpConnection,
): Promise<string> {
  const opened = new Promise<string>((resolve) => {
    client.onWebSocketConnect = (_connection, response) => {
      resolve(response.header('sec-websocket-extensions') ?? '');
    };
  });
  client.connect();
  t.after(() => client.destroy());
  return opened;
}
