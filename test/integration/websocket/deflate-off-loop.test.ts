import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { closeWebSocket, webSocketDefaults } from '../../../src/index.js';
import { listenWorker } from '../../helpers/listen.js';
import { clientFrame, type RawFrame, RawWebSocketClient } from '../../helpers/ws-raw-client.js';

// permessage-deflate work off the event loop: big messages inflate and
// deflate on libuv's threadpool, behind a per-process limiter, while the
// connection reads nothing more; message order is kept both ways, and a
// message inflating past webSocketDefaults.maxInflatedSize is refused (1009).

const TEXT = 0x1;
const BINARY = 0x2;
const CLOSE = 0x8;
const OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits';
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/** A masked compressed frame (RSV1) carrying `data`. */
function compressedFrame(opcode: number, data: Buffer | string): Buffer {
  const deflated = deflateRawSync(data, { finishFlush: 2 });
  return clientFrame(opcode, deflated.subarray(0, deflated.length - 4), { rsv: 0x40 });
}

function inflateFrame(frame: RawFrame): Buffer {
  return inflateRawSync(Buffer.concat([frame.payload, TAIL]), { finishFlush: 2 });
}

async function open(t: TestContext, port: number, headers: string[] = [OFFER]) {
  const { ws, head } = await RawWebSocketClient.open(port, '/', headers);
  t.after(() => ws.destroy());
  return { ws, head };
}

test('maxInflatedSize at its edge: a message inflating to 4 MiB passes, one byte more is refused with 1009', async (t) => {
  const limit = webSocketDefaults.maxInflatedSize;
  assert.equal(limit, 4 * 1024 * 1024);
  const errors: string[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      connection.send(String(data.length));
    };
    w.onError = (_connection, _code, message) => {
      errors.push(message);
    };
  });
  const { ws } = await open(t, worker.port);
  ws.send(compressedFrame(BINARY, Buffer.alloc(limit)));
  assert.equal((await ws.readFrame()).payload.toString(), String(limit));
  ws.send(compressedFrame(BINARY, Buffer.alloc(limit + 1)));
  const refusal = await ws.readFrame();
  assert.deepEqual([refusal.opcode, refusal.payload.readUInt16BE(0)], [CLOSE, 1009]);
  await ws.closed();
  assert.match(
    errors[0] ?? '',
    /^WebSocket close 1009 on connection \d+ .*: compressed message inflates past the limit of 4194304 bytes \(maxPackageSize 33554432, webSocketDefaults.maxInflatedSize 4194304\)$/,
  );
});

test('crafted compressed frames from one client do not stall another client: its echoes are answered in between', {
  timeout: 120_000,
}, async (t) => {
  const order: string[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      if (data.length > 1024) {
        order.push('bomb');
        return;
      }
      order.push('echo');
      connection.send(data);
    };
  });
  const attacker = (await open(t, worker.port)).ws;
  const victim = (await open(t, worker.port, [])).ws;
  const BOMBS = 40;
  // Each about 4 KB on the wire, 4 MiB once inflated: all sent at once.
  const bomb = compressedFrame(BINARY, Buffer.alloc(webSocketDefaults.maxInflatedSize));
  attacker.send(Buffer.concat(Array.from({ length: BOMBS }, () => bomb)));
  // The victim keeps one message in flight until every bomb was handled.
  let echoes = 0;
  while (order.filter((entry) => entry === 'bomb').length < BOMBS) {
    victim.send(clientFrame(TEXT, `ping ${echoes}`));
    assert.equal((await victim.readFrame()).payload.toString(), `ping ${echoes}`);
    echoes++;
  }
  // The most bombs handled in a row while the victim waited for an answer.
  let longestRun = 0;
  let run = 0;
  for (const entry of order.slice(order.indexOf('bomb'))) {
    run = entry === 'bomb' ? run + 1 : 0;
    longestRun = Math.max(longestRun, run);
  }
  assert.ok(longestRun <= 4, `${longestRun} bombs in a row, order ${order.join(' ')}`);
});

test('an app pausing receiving from onMessage of a message inflated off the loop stays paused', async (t) => {
  const seen: string[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      seen.push(typeof data === 'string' ? data.slice(0, 5) : 'binary');
      if (seen.length === 1) {
        connection.pauseRecv();
        // Let the loop turn a few times: nothing more may arrive meanwhile.
        void (async () => {
          for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
          seen.push('resumed');
          connection.resumeRecv();
        })();
      }
    };
  });
  const { ws } = await open(t, worker.port);
  ws.send(
    Buffer.concat([
      compressedFrame(TEXT, `first${'x'.repeat(64 * 1024)}`),
      clientFrame(TEXT, 'second'),
      clientFrame(CLOSE, Buffer.from([0x03, 0xe8])),
    ]),
  );
  assert.equal(await ws.readClose(), 1000);
  assert.deepEqual(seen, ['first', 'resumed', 'secon']);
});

test('big messages compress off the loop and keep their order with small ones; a close flushes them first', async (t) => {
  const big = (tag: string) => `${tag}${'compress me '.repeat(4000)}`;
  const results: (boolean | null)[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      if (data === 'go') {
        results.push(connection.send(big('one')));
        results.push(connection.send('small after one'));
        results.push(connection.send(big('two')));
        results.push(connection.send('small after two'));
      } else {
        // Closing while a compression is still running: it goes uncompressed, before the Close.
        connection.send(big('last'));
        closeWebSocket(connection, 4000, 'bye');
      }
    };
  });
  const { ws } = await open(t, worker.port);
  ws.send(clientFrame(TEXT, 'go'));
  const frames = [
    await ws.readFrame(),
    await ws.readFrame(),
    await ws.readFrame(),
    await ws.readFrame(),
  ];
  assert.deepEqual(
    frames.map((frame) => [
      frame.rsv,
      (frame.rsv ? inflateFrame(frame) : frame.payload).toString(),
    ]),
    [
      [0x40, big('one')],
      [0, 'small after one'],
      [0x40, big('two')],
      [0, 'small after two'],
    ],
  );
  // Queued behind a compression: `send` says so (null), none was refused.
  assert.deepEqual(results, [null, null, null, null]);
  ws.send(clientFrame(TEXT, 'close'));
  const last = await ws.readFrame();
  assert.deepEqual([last.rsv, last.payload.toString()], [0, big('last')]);
  const close = await ws.readFrame();
  assert.deepEqual([close.opcode, close.payload.readUInt16BE(0)], [CLOSE, 4000]);
});
