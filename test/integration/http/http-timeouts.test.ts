import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Http, Response, type TcpConnection } from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { eventually, listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';

function shortTimeouts(t: import('node:test').TestContext) {
  const saved = { ...Http.options };
  t.after(() => Object.assign(Http.options, saved));
  Object.assign(Http.options, {
    headerTimeout: 1,
    bodyTimeout: 1,
    keepAliveTimeout: 1,
    sendTimeout: 1,
  });
}

/** Seconds until the server closes a client that did `act`. */
async function secondsUntilClosed(port: number, act: (client: TestClient) => Promise<void>) {
  const client = await TestClient.connect(port);
  const started = performance.now();
  await act(client);
  await client.closed();
  return (performance.now() - started) / 1000;
}

test('slow head, slow body and idle keep-alive connections are closed by their timeouts', async (t) => {
  shortTimeouts(t);
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => connection.send('ok');
  });
  const results = await Promise.all([
    secondsUntilClosed(worker.port, async (c) => c.write('GET / HTTP/1.1\r\nHost: a\r\n')),
    secondsUntilClosed(worker.port, async (c) =>
      c.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nabc'),
    ),
    secondsUntilClosed(worker.port, async (c) => {
      c.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.equal((await readResponse(c)).body.toString(), 'ok');
    }),
    secondsUntilClosed(worker.port, async () => {}),
  ]);
  // Closed by the codec's own timer (Node's http would wait for its 30 s sweep).
  // Bound generously: a shared machine may be slow, the point is "not 30 s".
  for (const seconds of results) assert.ok(seconds < 10, `closed after ${seconds.toFixed(2)} s`);
});

test('a slow reader of a large file: the send buffer stays bounded and the send timeout cuts it', async (t) => {
  shortTimeouts(t);
  const dir = mkdtempSync(join(tmpdir(), 'wm-slow-reader-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'big.bin');
  writeFileSync(file, Buffer.alloc(32 * 1024 * 1024, 7));
  let server: TcpConnection<unknown, unknown> | null = null;
  let highest = 0;
  let serverClosed = false;
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxSendBufferSize = 256 * 1024;
      server = connection;
    };
    w.onMessage = (connection) => connection.send(new Response().withFile(file));
    w.onClose = () => {
      serverClosed = true;
    };
  });
  const sampler = setInterval(() => {
    highest = Math.max(highest, server?.getSendBufferQueueSize() ?? 0);
  }, 5);
  t.after(() => clearInterval(sampler));
  const client = await TestClient.connect(worker.port);
  client.socket.pause(); // never reads
  t.after(() => client.socket.destroy());
  client.write('GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n');
  // A paused client never sees the close: watch the server side.
  await eventually(() => serverClosed, 'the server to cut the stalled reader');
  assert.ok(highest > 0, 'the file started streaming');
  assert.ok(highest <= 256 * 1024 + 64 * 1024, `send buffer reached ${highest} bytes`);
});

test('a peer that never reads the last answer of a closing connection is cut after the idle timeout', async (t) => {
  shortTimeouts(t);
  let serverClosed = false;
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => connection.send('x'.repeat(8 * 1024 * 1024));
    w.onClose = () => {
      serverClosed = true;
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.socket.destroy());
  client.socket.pause(); // never reads the 8 MB answer
  client.write('GET / HTTP/1.0\r\n\r\n');
  await eventually(() => serverClosed, 'the server to cut the peer that does not read');
});
