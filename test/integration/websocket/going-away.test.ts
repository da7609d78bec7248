import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { closeWebSocket, type TcpConnection, Websocket } from '../../../src/index.js';
import { listenWorker } from '../../helpers/listen.js';
import { clientFrame, RawWebSocketClient } from '../../helpers/ws-raw-client.js';

// When a process stops accepting (reload, stop) it asks each connection's
// codec to wind it down (Protocol.onDrain), as src/process/child.ts does.
// A WebSocket connection answers every message already received, then
// closes with 1001 Going Away.

const TEXT = 0x1;
const CLOSE = 0x8;
const OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits';

/** What the stopping process does with a connection: the codec's hook, else a plain 1001. */
function windDown(connection: TcpConnection<unknown, unknown>): void {
  if (Websocket.onDrain) Websocket.onDrain(connection);
  else closeWebSocket(connection, 1001, 'server going away');
}

test('going away: every message received before the 1001 is delivered and answered, a big compressed one included', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      if (data === 'first') windDown(connection);
      connection.send(`echo ${data.length}`);
    };
  });
  const { ws } = await RawWebSocketClient.open(worker.port, '/', [OFFER]);
  t.after(() => ws.destroy());
  const big = 'inflated off the loop '.repeat(10_000);
  const deflated = deflateRawSync(big, { finishFlush: 2 });
  const messages = ['first', ...Array.from({ length: 10 }, (_, i) => `msg ${i}`)];
  // One write: the messages after 'first' are already received when the drain begins.
  ws.send(
    Buffer.concat([
      ...messages.slice(0, 3).map((message) => clientFrame(TEXT, message)),
      clientFrame(TEXT, deflated.subarray(0, deflated.length - 4), { rsv: 0x40 }),
      ...messages.slice(3).map((message) => clientFrame(TEXT, message)),
    ]),
  );
  const expected = [
    ...messages.slice(0, 3).map((message) => `echo ${message.length}`),
    `echo ${big.length}`,
    ...messages.slice(3).map((message) => `echo ${message.length}`),
  ];
  const answers: string[] = [];
  for (;;) {
    const frame = await ws.readFrame();
    if (frame.opcode === CLOSE) {
      assert.equal(frame.payload.readUInt16BE(0), 1001);
      assert.equal(frame.payload.subarray(2).toString(), 'server going away');
      break;
    }
    answers.push(frame.payload.toString());
  }
  assert.deepEqual(answers, expected);
});

test('going away: an idle connection closes with 1001 at once; one in its handshake after the 101', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = (connection, request) => {
      if (request.path() !== '/slow') return undefined;
      // The drain begins while the app's check is still pending.
      windDown(connection);
      return new Promise<void>((resolve) => setImmediate(resolve));
    };
  });
  const idle = await RawWebSocketClient.open(worker.port);
  t.after(() => idle.ws.destroy());
  for (const connection of worker.connections.values()) windDown(connection as TcpConnection);
  assert.equal(await idle.ws.readClose(), 1001);

  const { ws, head } = await RawWebSocketClient.open(worker.port, '/slow');
  t.after(() => ws.destroy());
  assert.match(head, /^HTTP\/1\.1 101 /);
  assert.equal(await ws.readClose(), 1001);
});

test('going away at once (Protocol.onGoingAway): an open WebSocket connection gets 1001 Going Away at once', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => {
      const goingAway = connection.protocol?.onGoingAway;
      assert.ok(goingAway, 'the WebSocket codec says how it goes away');
      goingAway.call(connection.protocol, connection);
    };
  });
  const { ws } = await RawWebSocketClient.open(worker.port, '/', []);
  t.after(() => ws.destroy());
  ws.send(clientFrame(TEXT, 'bye'));
  const frame = await ws.readFrame();
  assert.equal(frame.opcode, CLOSE);
  assert.equal(frame.payload.readUInt16BE(0), 1001);
  assert.equal(frame.payload.subarray(2).toString(), 'server going away');
});
