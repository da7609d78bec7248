import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { webSocketDefaults } from '../../../src/index.js';
import { listenWorker } from '../../helpers/listen.js';
import { clientFrame, RawWebSocketClient } from '../../helpers/ws-raw-client.js';

// A message sent as a flood of tiny fragments: every frame is work and, kept
// one Buffer per fragment, about 90 bytes of heap. Each fragment counts at
// least webSocketDefaults.minFragmentBytes (128) toward the message limit,
// and fragments share storage, so the flood is closed with 1009 early and
// costs its bytes, not an object per frame.

const BINARY = 0x2;
const CONTINUATION = 0x0;
const PING = 0x9;

/** `count` masked 1-byte frames (zero mask key): the first opens a binary message; none ends it. */
function tinyFragments(count: number, first: boolean): Buffer {
  const frames = Buffer.alloc(count * 7);
  for (let i = 0; i < count; i++) {
    const at = i * 7;
    frames[at] = first && i === 0 ? BINARY : CONTINUATION;
    frames[at + 1] = 0x81;
    frames[at + 6] = 0x61;
  }
  return frames;
}

async function open(t: TestContext, port: number) {
  const { ws } = await RawWebSocketClient.open(port);
  t.after(() => ws.destroy());
  return ws;
}

test('fragments count at least minFragmentBytes: 512 one-byte fragments fit 64 KiB, the 513th is refused with 1009', {
  timeout: 60_000,
}, async (t) => {
  assert.equal(webSocketDefaults.minFragmentBytes, 128);
  const errors: string[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxPackageSize = 64 * 1024;
    };
    w.onMessage = (connection, data) => {
      connection.send(String(data.length));
    };
    w.onError = (_connection, _code, message) => {
      errors.push(message);
    };
  });
  const ws = await open(t, worker.port);
  // 511 open fragments and a final one: 512 x 128 = 64 KiB, at the limit.
  ws.send(tinyFragments(511, true));
  ws.send(clientFrame(CONTINUATION, 'a'));
  assert.equal((await ws.readFrame()).payload.toString(), '512');
  // 128-byte fragments count their payload: 512 of them, 64 KiB, pass too.
  ws.send(clientFrame(BINARY, Buffer.alloc(128), { fin: false }));
  for (let i = 1; i < 511; i++)
    ws.send(clientFrame(CONTINUATION, Buffer.alloc(128), { fin: false }));
  ws.send(clientFrame(CONTINUATION, Buffer.alloc(128)));
  assert.equal((await ws.readFrame()).payload.toString(), String(64 * 1024));
  // One tiny fragment more than fits.
  ws.send(tinyFragments(512, true));
  ws.send(clientFrame(CONTINUATION, 'a'));
  const refusal = await ws.readFrame();
  assert.deepEqual([refusal.opcode, refusal.payload.readUInt16BE(0)], [0x8, 1009]);
  await ws.closed();
  assert.equal(errors.length, 1);
  assert.match(
    errors[0] ?? '',
    /^WebSocket close 1009 on connection \d+ .*: message of over 513 bytes in 513 fragments, counted as 65664 \(each fragment at least 128 bytes\), over the limit of 65536 \(maxPackageSize 65536\)$/,
  );
});

test('a flood of 1-byte fragments under the default limits costs its bytes, not heap per frame, and ends in 1009', {
  timeout: 120_000,
}, async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      connection.send(String(data.length));
    };
  });
  const ws = await open(t, worker.port);
  const perMessage = webSocketDefaults.maxPackageSize / webSocketDefaults.minFragmentBytes;
  assert.equal(perMessage, 262_144);

  // 200,000 fragments, the message still open: the server holds 200,000 bytes.
  gc();
  const before = process.memoryUsage().heapUsed;
  const batch = 20_000;
  for (let sent = 0; sent < 200_000; sent += batch) ws.send(tinyFragments(batch, sent === 0));
  // A ping after them: its pong comes once every fragment before it was handled.
  ws.send(clientFrame(PING, 'after the flood'));
  assert.equal((await ws.readFrame()).payload.toString(), 'after the flood');
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // One Buffer per fragment made it about 21 MB here.
  assert.ok(grown < 6 * 1024 * 1024, `heap grew by ${grown} bytes over 200,000 fragments`);

  // The flood goes on: refused at the limit, long before a process is at risk.
  let sentFrames = 200_000;
  let answered = false;
  const answer = ws.readFrame().finally(() => {
    answered = true;
  });
  while (!answered && sentFrames < 400_000) {
    ws.send(tinyFragments(batch, false));
    sentFrames += batch;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Ends the message: a server without the bound would now answer it.
  if (!answered) ws.send(clientFrame(CONTINUATION, 'a'));
  const frame = await answer;
  assert.equal(frame.opcode, 0x8);
  assert.equal(frame.payload.readUInt16BE(0), 1009);
  assert.ok(sentFrames > perMessage - batch);
});
