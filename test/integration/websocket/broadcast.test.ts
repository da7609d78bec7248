import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import WebSocket from 'ws';
import { PreparedMessage, SEND_FAIL, statistics, type TcpConnection } from '../../../src/index.js';
import { eventually, listenWorker } from '../../helpers/listen.js';

type Server = TcpConnection<unknown, unknown>;

/** A `ws` client that records every message it receives, as text or bytes. */
async function wsClient(t: TestContext, port: number, perMessageDeflate: boolean | object) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate });
  t.after(() => socket.terminate());
  const received: (string | Buffer)[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    received.push(isBinary ? data : data.toString('utf8'));
    for (const wake of waiters.splice(0)) wake();
  });
  await once(socket, 'open');
  const until = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { socket, received, until };
}

async function websocketWorker(t: TestContext, setup: (connection: Server) => void = () => {}) {
  const servers: Server[] = [];
  const errors: number[] = [];
  const full: Server[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      servers.push(connection as Server);
      setup(connection as Server);
    };
    w.onError = (_connection, code) => errors.push(code);
    w.onBufferFull = (connection) => full.push(connection as Server);
  });
  return { worker, servers, errors, full };
}

test('one broadcast reaches ws clients with and without permessage-deflate, each correct', async (t) => {
  const { worker, servers } = await websocketWorker(t);
  const plain = await wsClient(t, worker.port, false);
  const deflate = await wsClient(t, worker.port, { threshold: 0 });
  const deflateSmallWindow = await wsClient(t, worker.port, {
    threshold: 0,
    clientMaxWindowBits: 10,
    serverMaxWindowBits: 10,
  });
  const deflateAgain = await wsClient(t, worker.port, { threshold: 0 });
  const clients = [plain, deflate, deflateSmallWindow, deflateAgain];
  assert.equal(plain.socket.extensions, '');
  assert.match(deflate.socket.extensions, /permessage-deflate/);
  assert.match(deflateSmallWindow.socket.extensions, /permessage-deflate/);

  const messages: (string | Buffer)[] = [
    'hello',
    'x'.repeat(5000) + 'é'.repeat(500),
    randomBytes(40_000),
    Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ i })))),
  ];
  for (const message of messages) assert.equal(worker.broadcast(message), clients.length);
  for (const client of clients) {
    await client.until(messages.length);
    assert.deepEqual(client.received, messages);
  }

  // Connections with the same parameters share one frame; other window bits get their own.
  const [first, second, third, fourth] = servers as [Server, Server, Server, Server];
  const prepared = new PreparedMessage('y'.repeat(4000));
  assert.equal(prepared.bytesFor(second), prepared.bytesFor(fourth));
  assert.notEqual(prepared.bytesFor(second), prepared.bytesFor(third));
  assert.notEqual(prepared.bytesFor(first), prepared.bytesFor(second));
  assert.ok(
    (prepared.bytesFor(second)?.length ?? 0) < 4000,
    'the shared deflate frame is compressed',
  );
});

test('broadcast skips `exclude` and sendPrepared answers as send', async (t) => {
  const { worker, servers } = await websocketWorker(t);
  const a = await wsClient(t, worker.port, false);
  const b = await wsClient(t, worker.port, { threshold: 0 });
  await eventually(() => servers.length === 2, 'both connections');
  assert.equal(worker.broadcast('to b only', { exclude: servers[0] as Server }), 1);
  const prepared = new PreparedMessage('to both');
  for (const server of servers) assert.equal(server.sendPrepared(prepared), true);
  await b.until(2);
  await a.until(1);
  assert.deepEqual(b.received, ['to b only', 'to both']);
  assert.deepEqual(a.received, ['to both']);
});

test('a stalled reader hits onBufferFull in a broadcast while the others keep receiving', async (t) => {
  const { worker, servers, errors, full } = await websocketWorker(t, (connection) => {
    connection.maxSendBufferSize = 256 * 1024;
  });
  const stalled = await wsClient(t, worker.port, false);
  const readers = [
    await wsClient(t, worker.port, false),
    await wsClient(t, worker.port, { threshold: 0 }),
  ];
  await eventually(() => servers.length === 3, 'three connections');
  (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();

  const message = randomBytes(16 * 1024);
  let sent = 0;
  let taken = 0;
  const failBefore = statistics.sendFail;
  // The kernel's socket buffers take some megabytes before our queue grows: bounded by count.
  for (let round = 0; round < 3000 && errors.length < 5; round++) {
    taken += worker.broadcast(message);
    sent++;
    // Everyone but the stalled reader gets each message before the next goes out.
    for (const reader of readers) await reader.until(sent);
  }
  assert.ok(errors.length >= 5, `refusals reported: ${errors.length}`);
  assert.ok(
    errors.every((code) => code === SEND_FAIL),
    String(errors),
  );
  assert.equal(
    taken,
    3 * sent - errors.length,
    `only the stalled connection refused: sent ${sent}, taken ${taken}, errors ${errors.length}, failed sends ${statistics.sendFail - failBefore}`,
  );
  assert.deepEqual(full, [servers[0]], 'onBufferFull for the stalled connection only');
  for (const reader of readers) {
    assert.equal(reader.received.length, sent);
    assert.ok(reader.received.every((data) => Buffer.compare(data as Buffer, message) === 0));
  }
});
