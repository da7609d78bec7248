// Plain sockets read into one buffer shared by every connection. What the app
// keeps (a frame body, a raw chunk) must never change when later reads reuse it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

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
