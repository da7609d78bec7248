// The WebSocket settings and hooks are declared on TcpConnection,
// AsyncTcpConnection and Worker, never initialised: a connection or worker
// that sets none carries none (its object shape is the one it had before the
// fields were typed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsyncTcpConnection, TcpConnection, Worker } from '../../src/index.js';

const WEBSOCKET_FIELDS = [
  'onWebSocketConnect',
  'onWebSocketConnected',
  'onWebSocketPing',
  'onWebSocketPong',
  'onWebSocketClose',
  'websocketType',
  'websocketPingInterval',
  'headers',
  'websocketOrigin',
  'websocketClientProtocol',
] as const;

test('a new connection or worker has no WebSocket field of its own', () => {
  const made = {
    TcpConnection: new TcpConnection(),
    AsyncTcpConnection: new AsyncTcpConnection('ws://127.0.0.1:1/chat'),
    Worker: new Worker(),
  };
  for (const [name, object] of Object.entries(made)) {
    for (const field of WEBSOCKET_FIELDS) {
      assert.equal(Object.hasOwn(object, field), false, `${name} has its own ${field}`);
      assert.equal(field in object, false, `${name} inherits ${field}`);
    }
  }
});
