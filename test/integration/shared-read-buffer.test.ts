// Plain sockets read into one buffer shared by every connection. What the app
// keeps (a frame body, a raw chunk) must never change when later reads reuse it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { adoptWithReadBuffer } from '../../src/transport/read-buffer.js';
import { eventually, listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';
import { until } from '../helpers/until.js';

function frame(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(4 + body.length, 0);
  return Buffer.concat([header, body]);
}

test('frame bodies kept by the app stay intact while other reads reuse the read buffer', async (t) => {
  const kept: Buffer[] = [];
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onMessage = (connection, body) => {
      kept.push(body);
      connection.send('k');
    };
  });
  const clients = [await TestClient.connect(worker.port), await TestClient.connect(worker.port)];
  t.after(() => {
    for (const client of clients) client.destroy();
  });
  const expected: string[] = [];
  for (let round = 0; round < 50; round++) {
    for (const [index, client] of clients.entries()) {
      const body = Buffer.from(`client ${index} round ${round} `.repeat(1 + (round % 7)));
      expected.push(body.toString());
      client.write(frame(body));
      await client.readBytes(5);
    }
  }
  assert.deepEqual(
    kept.map((b) => b.toString()),
    expected,
  );
});

test('raw chunks kept by the app stay intact', async (t) => {
  const kept: Buffer[] = [];
  const worker = await listenWorker(t, 'tcp://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      kept.push(data);
      connection.send('k');
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  const sent: string[] = [];
  for (let i = 0; i < 100; i++) {
    const text = `chunk-${i}-${'x'.repeat(i)}`;
    sent.push(text);
    client.write(text);
    await client.readBytes(1);
  }
  await eventually(() => kept.length >= 100, 'all chunks');
  assert.equal(Buffer.concat(kept).toString(), sent.join(''));
});

/**
 * Checks that `adoptWithReadBuffer` takes its fast path on the running Node:
 * its fallback (the accepted socket streaming 'data') is safe, so every test
 * above passes either way, and only this one notices when a Node release
 * moves the socket's handle. test/integration/node-versions.test.ts runs it
 * under the oldest and the newest Node the project supports.
 */
async function checkReadBufferAdoption(t: TestContext, transport: 'tcp' | 'unix') {
  const accepted: Socket[] = [];
  const adopted: Socket[] = [];
  const received = new Map<Socket, string>();
  const buffers = new Set<ArrayBufferLike>();
  const server = createServer({ pauseOnConnect: true }, (socket) => {
    accepted.push(socket);
    adopted.push(
      adoptWithReadBuffer(socket, function (this: Socket, bytes, buffer) {
        buffers.add(buffer.buffer);
        const text = Buffer.from(buffer.buffer, buffer.byteOffset, bytes).toString();
        received.set(this, (received.get(this) ?? '') + text);
        return true;
      }),
    );
  });
  t.after(() => {
    for (const socket of [...accepted, ...adopted]) socket.destroy();
    server.close();
  });
  let connect: () => Promise<TestClient>;
  if (transport === 'unix') {
    const dir = mkdtempSync(join(tmpdir(), 'workerman-read-buffer-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'server.sock');
    server.listen(path);
    connect = () => TestClient.connectPath(path);
  } else {
    server.listen(0, '127.0.0.1');
    connect = () => TestClient.connect((server.address() as AddressInfo).port);
  }
  await once(server, 'listening');
  const clients = [await connect(), await connect()];
  t.after(() => {
    for (const client of clients) client.destroy();
  });
  await eventually(() => adopted.length === 2, 'both connections accepted');
  for (const [index, socket] of adopted.entries()) {
    assert.notEqual(
      socket,
      accepted[index],
      `read-buffer.ts fell back to 'data' events on Node ${process.version}: ` +
        `the accepted ${transport} socket's _handle has no useUserBuffer`,
    );
  }
  const countConnections = () =>
    new Promise<number>((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
  assert.equal(await countConnections(), 2, 'the server counts the re-wrapped sockets');

  clients[0]!.write('from the first client');
  clients[1]!.write('from the second client');
  await eventually(
    () => received.get(adopted[0]!) === 'from the first client',
    "the first client's bytes",
  );
  await eventually(
    () => received.get(adopted[1]!) === 'from the second client',
    "the second client's bytes",
  );
  assert.equal(buffers.size, 1, 'both connections read into one and the same buffer');

  // The count moved with the handle: closing the re-wrapped sockets brings it
  // back to 0 (server.close() would otherwise wait for ever).
  for (const socket of adopted) socket.destroy();
  await until(async () => (await countConnections()) === 0, 'the connection count back to 0');
}

test(`on Node ${process.version}, accepted TCP sockets read into the one shared buffer`, (t) =>
  checkReadBufferAdoption(t, 'tcp'));

test(`on Node ${process.version}, accepted unix sockets read into the one shared buffer`, (t) =>
  checkReadBufferAdoption(t, 'unix'));
