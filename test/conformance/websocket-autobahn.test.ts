import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { AsyncTcpConnection } from '../../src/index.js';
import { listenWorker } from '../helpers/listen.js';
import { clientFrame, RawWebSocketClient } from '../helpers/ws-raw-client.js';
import { type RawServerPeer, rawWebSocketServer } from '../helpers/ws-raw-server.js';

// The exchanges of Autobahn|Testsuite cases whose outcome depends on timing,
// close codes or negotiation, replayed byte for byte against both sides:
// our websocket:// server (Autobahn's fuzzingclient mode) and our ws://
// client (its fuzzingserver mode, where the testee client echoes every
// message). Where Autobahn waits a second between parts, these tests instead
// prove the connection is still open with a ping answered by a pong.

const TEXT = 0x1;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;
const TAIL = Buffer.from([0, 0, 0xff, 0xff]);

/** Case 6.4.1's payload: valid, then U+110000 (F4 90 80 80) at byte 12, then valid again. */
const PART1 = Buffer.from('cebae1bdb9cf83cebcceb5', 'hex');
const PART2 = Buffer.from('f4908080', 'hex');
const PART3 = Buffer.from('656469746564', 'hex');
const PAYLOAD = Buffer.concat([PART1, PART2, PART3]);

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999, 5000, 65535];

function closeBody(code: number, reason: Buffer | string = ''): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code, 0);
  return Buffer.concat([body, Buffer.from(reason)]);
}

/** A server frame (unmasked). */
function serverFrame(opcode: number, payload: Buffer | string = '', fin = true, rsv = 0): Buffer {
  return clientFrame(opcode, payload, { fin, rsv, mask: false });
}

async function echoServer(t: TestContext) {
  return listenWorker(t, 'websocket://127.0.0.1:0', (worker) => {
    worker.onMessage = (connection, data) => {
      connection.send(data);
    };
  });
}

async function openRaw(t: TestContext, port: number, headers: string[] = []) {
  const { ws, head } = await RawWebSocketClient.open(port, '/', headers);
  t.after(() => ws.destroy());
  return { ws, head };
}

/** Our client as Autobahn drives it: it echoes every message. */
async function echoClient(
  t: TestContext,
  extensions?: (request: string) => string | undefined,
): Promise<RawServerPeer> {
  const { port, accept } = await rawWebSocketServer(t, extensions);
  const client = new AsyncTcpConnection(`ws://127.0.0.1:${port}/runCase?case=1&agent=workerman`);
  client.onMessage = (connection, data) => {
    connection.send(data);
  };
  client.onError = () => {};
  client.connect();
  t.after(() => client.destroy());
  return accept();
}

/** A ping answered by a pong with its payload: the connection is open and reading. */
async function stillOpen(
  send: (bytes: Buffer) => void,
  read: () => Promise<{ opcode: number; payload: Buffer }>,
  masked: boolean,
) {
  send(clientFrame(PING, 'alive?', { mask: masked }));
  const pong = await read();
  assert.deepEqual([pong.opcode, pong.payload.toString()], [PONG, 'alive?']);
}

describe('6.4.x fail fast on invalid UTF-8: our server', () => {
  test('6.4.1: the fragment holding U+110000 fails the connection at once with 1007', async (t) => {
    const { ws } = await openRaw(t, (await echoServer(t)).port);
    ws.send(clientFrame(TEXT, PART1, { fin: false }));
    await stillOpen(
      (b) => ws.send(b),
      () => ws.readFrame(),
      true,
    );
    ws.send(clientFrame(CONTINUATION, PART2, { fin: false }));
    assert.equal(await ws.readClose(), 1007);
    await ws.closed();
  });
  test('6.4.2: a one-byte fragment (0x90 after F4) fails at once with 1007', async (t) => {
    const { ws } = await openRaw(t, (await echoServer(t)).port);
    ws.send(clientFrame(TEXT, PAYLOAD.subarray(0, 12), { fin: false }));
    await stillOpen(
      (b) => ws.send(b),
      () => ws.readFrame(),
      true,
    );
    ws.send(clientFrame(CONTINUATION, PAYLOAD.subarray(12, 13), { fin: false }));
    assert.equal(await ws.readClose(), 1007);
    await ws.closed();
  });
  for (const [name, cuts] of [
    ['6.4.3', [PART1.length, PART1.length + PART2.length]],
    ['6.4.4', [12, 13]],
  ] as const) {
    test(`${name}: one frame sent in three chops fails with 1007 once the frame is whole (NON-STRICT)`, async (t) => {
      const { ws } = await openRaw(t, (await echoServer(t)).port);
      const frame = clientFrame(TEXT, PAYLOAD, { fin: false });
      const header = frame.length - PAYLOAD.length;
      ws.send(frame.subarray(0, header + cuts[0]));
      ws.send(frame.subarray(header + cuts[0], header + cuts[1]));
      ws.send(frame.subarray(header + cuts[1]));
      // Autobahn then ends the message; the server has already failed it (closedByMe false).
      ws.send(clientFrame(CONTINUATION, '', { fin: true }));
      assert.equal(await ws.readClose(), 1007);
      await ws.closed();
    });
  }
});

describe('2.x and 5.x from a server: our client', () => {
  test('5.6/5.8: a ping between fragments is answered at once, then the whole message is echoed', async (t) => {
    const peer = await echoClient(t);
    peer.send(serverFrame(TEXT, 'fragment1', false));
    peer.send(serverFrame(PING, 'between'));
    const pong = await peer.readFrame();
    assert.deepEqual([pong.opcode, pong.masked, pong.payload.toString()], [PONG, true, 'between']);
    peer.send(serverFrame(CONTINUATION, 'fragment2', true));
    const echo = await peer.readFrame();
    assert.deepEqual(
      [echo.opcode, echo.fin, echo.payload.toString()],
      [TEXT, true, 'fragment1fragment2'],
    );
  });
  test('5.1-5.4 and 2.5: a fragmented ping, a lone continuation or a 126-byte ping: 1002', async (t) => {
    for (const bytes of [
      serverFrame(PING, 'x', false),
      serverFrame(CONTINUATION, 'x', true),
      serverFrame(PING, Buffer.alloc(126)),
    ]) {
      const peer = await echoClient(t);
      peer.send(bytes);
      assert.equal(await peer.readClose(), 1002);
      await peer.ended();
    }
  });
});

describe('6.4.x fail fast on invalid UTF-8: our client', () => {
  test('6.4.1 and 6.4.2 from a server: 1007 at the bad fragment', async (t) => {
    for (const [first, second] of [
      [PART1, PART2],
      [PAYLOAD.subarray(0, 12), PAYLOAD.subarray(12, 13)],
    ]) {
      const peer = await echoClient(t);
      peer.send(serverFrame(TEXT, first, false));
      await stillOpen(
        (b) => peer.send(b),
        () => peer.readFrame(),
        false,
      );
      peer.send(serverFrame(CONTINUATION, second, false));
      assert.equal(await peer.readClose(), 1007);
      await peer.ended();
    }
  });
});

describe('7.x close codes and reasons: our server', () => {
  test('7.7.x: every valid code is echoed and the server closes TCP', async (t) => {
    const worker = await echoServer(t);
    for (const code of VALID_CODES) {
      const { ws } = await openRaw(t, worker.port);
      ws.send(clientFrame(CLOSE, closeBody(code)));
      assert.equal(await ws.readClose(), code, `code ${code}`);
      await ws.closed();
    }
  });
  test('7.9.x and 7.13.x: invalid codes (and 5000, 65535) are answered with 1002', async (t) => {
    const worker = await echoServer(t);
    for (const code of INVALID_CODES) {
      const { ws } = await openRaw(t, worker.port);
      ws.send(clientFrame(CLOSE, closeBody(code)));
      assert.equal(await ws.readClose(), 1002, `code ${code}`);
      await ws.closed();
    }
  });
  test('7.3.x and 7.5.1: close payloads of 0, 1, 2, 2+123 and 2+124 bytes, and a reason that is not UTF-8', async (t) => {
    const worker = await echoServer(t);
    const cases: [Buffer, number][] = [
      [Buffer.alloc(0), 1005],
      [Buffer.from([0x03]), 1002],
      [closeBody(1000), 1000],
      [closeBody(1000, 'Hello World!'), 1000],
      [closeBody(1000, '*'.repeat(123)), 1000],
      [closeBody(1000, '*'.repeat(124)), 1002],
      [closeBody(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex')), 1007],
    ];
    for (const [body, code] of cases) {
      const { ws } = await openRaw(t, worker.port);
      ws.send(clientFrame(CLOSE, body));
      assert.equal(await ws.readClose(), code, `a close body of ${body.length} bytes`);
      await ws.closed();
    }
  });
  test('7.1.2-7.1.5: after a close, further frames are not answered', async (t) => {
    const { ws } = await openRaw(t, (await echoServer(t)).port);
    ws.send(
      Buffer.concat([
        clientFrame(TEXT, 'fragment', { fin: false }),
        clientFrame(CLOSE, closeBody(1000)),
        clientFrame(CLOSE, closeBody(1000)),
        clientFrame(PING, 'after close'),
        clientFrame(TEXT, 'after close'),
        clientFrame(CONTINUATION, 'fin', { fin: true }),
      ]),
    );
    const frame = await ws.readFrame();
    assert.deepEqual([frame.opcode, frame.payload.readUInt16BE(0)], [CLOSE, 1000]);
    await ws.closed();
    assert.equal(ws.client.buffered.length, 0, 'nothing after the close answer');
  });
});

describe('7.x close codes and reasons: our client', () => {
  test('7.7.x: every valid code from the server is echoed, then the client ends TCP', async (t) => {
    for (const code of VALID_CODES) {
      const peer = await echoClient(t);
      peer.send(serverFrame(CLOSE, closeBody(code)));
      assert.equal(await peer.readClose(), code, `code ${code}`);
      await peer.ended();
    }
  });
  test('7.9.x, 7.13.x and 7.5.1: invalid codes get 1002, a reason that is not UTF-8 1007', async (t) => {
    const cases: [Buffer, number][] = [
      ...INVALID_CODES.map((code): [Buffer, number] => [closeBody(code), 1002]),
      [closeBody(1000, '*'.repeat(124)), 1002],
      [closeBody(1000, Buffer.from([0xed, 0xa0, 0x80])), 1007],
    ];
    for (const [body, code] of cases) {
      const peer = await echoClient(t);
      peer.send(serverFrame(CLOSE, body));
      assert.equal(await peer.readClose(), code, `a close body ${body.toString('hex')}`);
      await peer.ended();
    }
  });
});

/** What a zlib compressor keeping its window (context takeover) emits per message, tail stripped. */
function contextTakeoverCompressor(windowBits = 15) {
  const deflater = createDeflateRaw({ windowBits });
  let chunks: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => chunks.push(chunk));
  return {
    async compress(message: Buffer): Promise<Buffer> {
      chunks = [];
      deflater.write(message);
      await new Promise<void>((resolve) => deflater.flush(constants.Z_SYNC_FLUSH, () => resolve()));
      const whole = Buffer.concat(chunks);
      return whole.subarray(0, whole.length - TAIL.length);
    },
    close: () => deflater.close(),
  };
}

/** Inflates one message as a peer that keeps exactly a 2^8-byte window would (chunks of 64 bytes). */
function inflateWith8BitWindow(payload: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([payload, TAIL]), {
    windowBits: 8,
    chunkSize: 64,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
}

const JSON_TEXT = JSON.stringify(
  Array.from({ length: 400 }, (_, i) => ({ id: i, name: `n${(i * 31) % 97}`, ok: i % 3 === 0 })),
);

describe('12.x/13.x negotiation as Autobahn does it', () => {
  test('server, 13.3: the offer for server_max_window_bits=8 is accepted; replies inflate with a 256-byte window', async (t) => {
    const { ws, head } = await openRaw(t, (await echoServer(t)).port, [
      'Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=8',
    ]);
    assert.match(
      head,
      /\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8\r\n/,
    );
    for (let i = 0; i < 5; i++) {
      const message = Buffer.from(JSON_TEXT.slice(i * 1000, i * 1000 + 4096 * (i + 1)));
      const compressed = deflateRawSync(message, { finishFlush: constants.Z_SYNC_FLUSH });
      ws.send(clientFrame(TEXT, compressed.subarray(0, compressed.length - 4), { rsv: 0x40 }));
      const reply = await ws.readFrame();
      assert.equal(reply.rsv, 0x40);
      assert.ok(inflateWith8BitWindow(reply.payload).equals(message), `message ${i}`);
    }
  });
  test('client: offers client_max_window_bits, so Autobahn 13.3-13.6 accept; a server keeping its window and asking for 8 bits is followed', async (t) => {
    const peer = await echoClient(t, (request) =>
      /\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/.test(request)
        ? 'permessage-deflate; client_max_window_bits=8'
        : undefined,
    );
    assert.match(
      peer.request,
      /Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits/,
    );
    const compressor = contextTakeoverCompressor();
    t.after(() => compressor.close());
    for (let i = 0; i < 6; i++) {
      // Repeated slices: later messages are mostly back-references into earlier ones.
      const message = Buffer.from(JSON_TEXT.slice((i % 2) * 500, (i % 2) * 500 + 3000 + i));
      peer.send(serverFrame(TEXT, await compressor.compress(message), true, 0x40));
      const reply = await peer.readFrame();
      assert.deepEqual([reply.opcode, reply.rsv, reply.masked], [TEXT, 0x40, true]);
      assert.ok(inflateWith8BitWindow(reply.payload).equals(message), `message ${i}`);
    }
  });
});
