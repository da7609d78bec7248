import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { closeWebSocket, TcpConnection } from '../../src/index.js';
import { eventually, listenWorker } from '../helpers/listen.js';
import { clientFrame, RawWebSocketClient } from '../helpers/ws-raw-client.js';

// RFC 6455 conformance of the websocket:// server over real sockets, grouped
// like the Autobahn|Testsuite case groups. Frames are written byte by byte
// by a hand-driven client, so rule-breaking input can be sent on purpose.

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

type Setup = Parameters<typeof listenWorker<'websocket://127.0.0.1:0'>>[2];

/** An echo worker: each message goes back as it came (text as text, binary as binary). */
async function echo(t: TestContext, setup?: Setup) {
  return listenWorker(t, 'websocket://127.0.0.1:0', (worker) => {
    worker.onMessage = (connection, data) => {
      connection.send(data);
    };
    setup?.(worker);
  });
}

async function open(t: TestContext, port: number, headers: string[] = []) {
  const { ws, head } = await RawWebSocketClient.open(port, '/', headers);
  t.after(() => ws.destroy());
  return { ws, head };
}

/** Asserts the server fails the connection with `code` and then closes TCP. */
async function expectFailure(ws: RawWebSocketClient, code: number) {
  assert.equal(await ws.readClose(), code);
  await ws.closed();
}

describe('1.x framing', () => {
  for (const size of [0, 1, 125, 126, 65535, 65536, 1024 * 1024]) {
    test(`text and binary of ${size} bytes are echoed`, async (t) => {
      const worker = await echo(t);
      const { ws } = await open(t, worker.port);
      const text = 'x'.repeat(size);
      ws.send(clientFrame(TEXT, text));
      const echoedText = await ws.readFrame();
      assert.equal(echoedText.opcode, TEXT);
      assert.equal(echoedText.masked, false);
      assert.equal(echoedText.payload.toString(), text);
      const bytes = Buffer.alloc(size, 0xa5);
      ws.send(clientFrame(BINARY, bytes));
      const echoedBinary = await ws.readFrame();
      assert.equal(echoedBinary.opcode, BINARY);
      assert.deepEqual(echoedBinary.payload, bytes);
    });
  }
  test('a frame split at every byte boundary, and frames sent byte by byte', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    const frame = clientFrame(TEXT, 'split €');
    for (let cut = 1; cut < frame.length; cut++) {
      ws.send(frame.subarray(0, cut));
      await new Promise((resolve) => setImmediate(resolve));
      ws.send(frame.subarray(cut));
      assert.equal((await ws.readFrame()).payload.toString(), 'split €');
    }
    for (const byte of frame) ws.send(Buffer.from([byte]));
    assert.equal((await ws.readFrame()).payload.toString(), 'split €');
  });
  test('many frames in one chunk are each delivered', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    ws.send(Buffer.concat(Array.from({ length: 50 }, (_, i) => clientFrame(TEXT, `m${i}`))));
    for (let i = 0; i < 50; i++) assert.equal((await ws.readFrame()).payload.toString(), `m${i}`);
  });
  test('websocketType ARRAYBUFFER sends strings as binary; { type } chooses per send', async (t) => {
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
      w.onMessage = (connection, data) => {
        connection.send({ type: 'text', data: Buffer.from(`as text: ${data}`) });
        connection.websocketType = '\x82';
        connection.send(String(data));
      };
    });
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(TEXT, 'hi'));
    const first = await ws.readFrame();
    assert.deepEqual([first.opcode, first.payload.toString()], [TEXT, 'as text: hi']);
    const second = await ws.readFrame();
    assert.deepEqual([second.opcode, second.payload.toString()], [BINARY, 'hi']);
  });
});

describe('2.x pings and pongs', () => {
  test('a ping is answered by a pong with the same payload, between fragments too', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    const payload = Buffer.alloc(125, 0x42);
    ws.send(clientFrame(PING, payload));
    const pong = await ws.readFrame();
    assert.deepEqual([pong.opcode, pong.payload], [PONG, payload]);
    ws.send(
      Buffer.concat([
        clientFrame(TEXT, 'frag', { fin: false }),
        clientFrame(PING, 'mid'),
        clientFrame(CONTINUATION, 'ment'),
      ]),
    );
    const midPong = await ws.readFrame();
    assert.deepEqual([midPong.opcode, midPong.payload.toString()], [PONG, 'mid']);
    assert.equal((await ws.readFrame()).payload.toString(), 'fragment');
  });
  test('onWebSocketPing replaces the automatic pong; onWebSocketPong sees pongs', async (t) => {
    const pings: string[] = [];
    const pongs: string[] = [];
    const worker = await echo(t, (w) => {
      w.onWebSocketPing = (connection, data) => {
        pings.push(data.toString());
        connection.send(`saw ping ${data}`);
      };
      w.onWebSocketPong = (_connection, data) => {
        pongs.push(data.toString());
      };
    });
    const { ws } = await open(t, worker.port);
    ws.send(Buffer.concat([clientFrame(PING, 'a'), clientFrame(PONG, 'b')]));
    assert.equal((await ws.readFrame()).payload.toString(), 'saw ping a');
    await eventually(() => pongs.length === 1, 'the pong hook');
    assert.deepEqual([pings, pongs], [['a'], ['b']]);
  });
  test('a ping over 125 bytes or fragmented: 1002', async (t) => {
    const worker = await echo(t);
    const first = await open(t, worker.port);
    first.ws.send(clientFrame(PING, Buffer.alloc(126)));
    await expectFailure(first.ws, 1002);
    const second = await open(t, worker.port);
    second.ws.send(clientFrame(PING, 'x', { fin: false }));
    await expectFailure(second.ws, 1002);
  });
});

describe('3.x reserved bits, 4.x opcodes, masking', () => {
  for (const rsv of [0x40, 0x20, 0x10]) {
    test(`RSV 0x${rsv.toString(16)} without an extension: 1002, other connections untouched`, async (t) => {
      const worker = await echo(t);
      const bystander = await open(t, worker.port);
      const { ws } = await open(t, worker.port);
      ws.send(Buffer.concat([clientFrame(TEXT, 'ok'), clientFrame(TEXT, 'bad', { rsv })]));
      assert.equal((await ws.readFrame()).payload.toString(), 'ok');
      await expectFailure(ws, 1002);
      bystander.ws.send(clientFrame(TEXT, 'still here'));
      assert.equal((await bystander.ws.readFrame()).payload.toString(), 'still here');
    });
  }
  for (const opcode of [3, 7, 0xb, 0xf]) {
    test(`reserved opcode ${opcode}: 1002`, async (t) => {
      const worker = await echo(t);
      const { ws } = await open(t, worker.port);
      ws.send(clientFrame(opcode, 'x'));
      await expectFailure(ws, 1002);
    });
  }
  test('an unmasked client frame: 1002', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(TEXT, 'naked', { mask: false }));
    await expectFailure(ws, 1002);
  });
});

describe('5.x fragmentation', () => {
  test('text and binary fragmented in many pieces with control frames between', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    const parts = ['a', 'bb', '', 'ccc'];
    ws.send(
      Buffer.concat(
        parts.flatMap((part, i) => [
          clientFrame(i === 0 ? BINARY : CONTINUATION, part, { fin: i === parts.length - 1 }),
          clientFrame(PONG, 'unsolicited'),
        ]),
      ),
    );
    const message = await ws.readFrame();
    assert.deepEqual([message.opcode, message.payload.toString()], [BINARY, 'abbccc']);
  });
  test('a continuation with nothing to continue, or a new message inside one: 1002', async (t) => {
    const worker = await echo(t);
    const first = await open(t, worker.port);
    first.ws.send(clientFrame(CONTINUATION, 'x'));
    await expectFailure(first.ws, 1002);
    const second = await open(t, worker.port);
    second.ws.send(Buffer.concat([clientFrame(TEXT, 'a', { fin: false }), clientFrame(TEXT, 'b')]));
    await expectFailure(second.ws, 1002);
  });
});

describe('6.x UTF-8 handling', () => {
  test('a code point split across fragments is reassembled', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    const clef = Buffer.from('𝄞€', 'utf8');
    ws.send(
      Buffer.concat(
        [...clef].map((byte, i) =>
          clientFrame(i === 0 ? TEXT : CONTINUATION, Buffer.from([byte]), {
            fin: i === clef.length - 1,
          }),
        ),
      ),
    );
    assert.equal((await ws.readFrame()).payload.toString(), '𝄞€');
  });
  test('invalid UTF-8 fails at the first bad fragment: 1007', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(TEXT, Buffer.from([0xce, 0xba, 0xed, 0xa0, 0x80]), { fin: false }));
    await expectFailure(ws, 1007);
  });
});

describe('7.x close handling', () => {
  test('a client close is echoed with its code, onWebSocketClose sees code and reason, TCP closes', async (t) => {
    const seen: [number, string][] = [];
    const worker = await echo(t, (w) => {
      w.onWebSocketClose = (_connection, code, reason) => {
        seen.push([code, reason]);
      };
    });
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(CLOSE, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('bye')])));
    assert.equal(await ws.readClose(), 4000);
    await ws.closed();
    assert.deepEqual(seen, [[4000, 'bye']]);
  });
  test('an empty close is answered by an empty close', async (t) => {
    const worker = await echo(t);
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(CLOSE));
    assert.equal(await ws.readClose(), 1005);
  });
  test('nothing is delivered after a close frame', async (t) => {
    const got: unknown[] = [];
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
      w.onMessage = (_c, data) => {
        got.push(data);
      };
    });
    const { ws } = await open(t, worker.port);
    ws.send(
      Buffer.concat([
        clientFrame(TEXT, 'before'),
        clientFrame(CLOSE, Buffer.from([3, 0xe8])),
        clientFrame(TEXT, 'after'),
      ]),
    );
    assert.equal(await ws.readClose(), 1000);
    await ws.closed();
    assert.deepEqual(got, ['before']);
  });
  for (const [name, body, code] of [
    ['a 1-byte body', Buffer.from([3]), 1002],
    ['code 1005', Buffer.from([0x03, 0xed]), 1002],
    ['code 999', Buffer.from([0x03, 0xe7]), 1002],
    ['code 5000', Buffer.from([0x13, 0x88]), 1002],
    ['a reason that is not UTF-8', Buffer.from([0x03, 0xe8, 0xff]), 1007],
  ] as const) {
    test(`a close frame with ${name}: ${code}`, async (t) => {
      const worker = await echo(t);
      const { ws } = await open(t, worker.port);
      ws.send(clientFrame(CLOSE, body));
      await expectFailure(ws, code);
    });
  }
  test('the app closes with close() (1000) or closeWebSocket(code, reason)', async (t) => {
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
      w.onMessage = (connection, data) => {
        if (data === 'plain') connection.close();
        else closeWebSocket(connection, 4321, 'custom');
      };
    });
    const first = await open(t, worker.port);
    first.ws.send(clientFrame(TEXT, 'plain'));
    assert.equal(await first.ws.readClose(), 1000);
    const second = await open(t, worker.port);
    second.ws.send(clientFrame(TEXT, 'custom'));
    const frame = await second.ws.readFrame();
    assert.equal(frame.opcode, CLOSE);
    assert.equal(frame.payload.readUInt16BE(0), 4321);
    assert.equal(frame.payload.subarray(2).toString(), 'custom');
  });
  test('closeWebSocket refuses codes that may not be sent and reasons over 123 bytes, closing nothing', async (t) => {
    // 41 three-byte characters: 123 bytes, the most a Close frame holds (§5.5).
    const longest = '€'.repeat(41);
    const refusals: string[] = [];
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
      w.onMessage = (connection) => {
        for (const [code, reason] of [
          [1005, ''],
          [1006, ''],
          [1015, ''],
          [1004, ''],
          [999, ''],
          [2000, ''],
          [5000, ''],
          [4000.5, ''],
          [4000, `${longest}x`],
        ] as const) {
          try {
            closeWebSocket(connection, code, reason);
            refusals.push(`${code} accepted`);
          } catch (error) {
            refusals.push((error as { code: string }).code);
          }
        }
        // Still open: the refused calls closed nothing.
        connection.send('still open');
        closeWebSocket(connection, 4000, longest);
      };
    });
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(TEXT, 'close me'));
    assert.equal((await ws.readFrame()).payload.toString(), 'still open');
    const frame = await ws.readFrame();
    assert.equal(frame.opcode, CLOSE);
    assert.equal(frame.payload.readUInt16BE(0), 4000);
    assert.equal(frame.payload.subarray(2).toString(), longest);
    assert.deepEqual(refusals, Array(9).fill('WM_ERR_INVALID_OPTION'));
  });
});

describe('9.x payload limits (1009)', () => {
  const LIMIT = 64 * 1024;
  const limited: Setup = (w) => {
    w.onConnect = (connection) => {
      connection.maxPackageSize = LIMIT;
    };
    w.onMessage = (connection, data) => {
      connection.send(`${data.length}`);
    };
  };
  test('a message at the limit passes; one byte over is refused from the header, before the payload', async (t) => {
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', limited);
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(BINARY, Buffer.alloc(LIMIT - 14)));
    assert.equal((await ws.readFrame()).payload.toString(), String(LIMIT - 14));
    const big = clientFrame(BINARY, Buffer.alloc(LIMIT + 1));
    ws.send(big.subarray(0, 14)); // header and mask only
    await expectFailure(ws, 1009);
  });
  test('fragments adding up past the limit: 1009', async (t) => {
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', limited);
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(BINARY, Buffer.alloc(LIMIT / 2), { fin: false }));
    ws.send(clientFrame(CONTINUATION, Buffer.alloc(LIMIT / 2 + 1)));
    await expectFailure(ws, 1009);
  });
  test('an error naming the connection and the limit reaches onError', async (t) => {
    const errors: string[] = [];
    const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
      limited(w);
      w.onError = (_c, _code, message) => {
        errors.push(message);
      };
    });
    const { ws } = await open(t, worker.port);
    ws.send(clientFrame(BINARY, Buffer.alloc(LIMIT + 1)).subarray(0, 14));
    await expectFailure(ws, 1009);
    assert.match(errors[0] ?? '', /1009 on connection \d+ .*maxPackageSize 65536/);
  });
});

describe('12.x/13.x permessage-deflate', () => {
  const offer = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits';
  test('negotiated; compressed messages in, compressed big messages out', async (t) => {
    const worker = await echo(t);
    const { ws, head } = await open(t, worker.port, [offer]);
    assert.match(
      head,
      /\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n/,
    );
    const text = 'deflate me '.repeat(500);
    const compressed = deflateRawSync(text, { finishFlush: 2 });
    ws.send(clientFrame(TEXT, compressed.subarray(0, compressed.length - 4), { rsv: 0x40 }));
    const reply = await ws.readFrame();
    assert.equal(reply.rsv, 0x40);
    const { inflateRawSync } = await import('node:zlib');
    const inflated = inflateRawSync(
      Buffer.concat([reply.payload, Buffer.from([0, 0, 0xff, 0xff])]),
      {
        finishFlush: 2,
      },
    );
    assert.equal(inflated.toString(), text);
    ws.send(clientFrame(TEXT, 'small'));
    const small = await ws.readFrame();
    assert.deepEqual([small.rsv, small.payload.toString()], [0, 'small']);
  });
  test('a compression bomb is refused at the limit (1009), not inflated', async (t) => {
    const worker = await echo(t, (w) => {
      w.onConnect = (connection) => {
        connection.maxPackageSize = 1024 * 1024;
      };
    });
    const { ws } = await open(t, worker.port, [offer]);
    const bomb = deflateRawSync(Buffer.alloc(256 * 1024 * 1024), { finishFlush: 2 });
    ws.send(clientFrame(BINARY, bomb.subarray(0, bomb.length - 4), { rsv: 0x40 }));
    await expectFailure(ws, 1009);
  });
  test('not offered: not used; RSV1 is then a protocol error', async (t) => {
    const worker = await echo(t);
    const { ws, head } = await open(t, worker.port);
    assert.doesNotMatch(head, /Sec-WebSocket-Extensions/);
    ws.send(clientFrame(TEXT, 'x', { rsv: 0x40 }));
    await expectFailure(ws, 1002);
  });
});

describe('keepalive', () => {
  test('pings every websocketPingInterval; a silent peer is cut, an answering one kept', async (t) => {
    const worker = await echo(t, (w) => {
      w.websocketPingInterval = 0.05;
    });
    const answering = await open(t, worker.port);
    const silent = await open(t, worker.port);
    for (let i = 0; i < 3; i++) {
      const ping = await answering.ws.readFrame();
      assert.equal(ping.opcode, PING);
      answering.ws.send(clientFrame(PONG, ping.payload));
    }
    assert.equal((await silent.ws.readFrame()).opcode, PING);
    await silent.ws.closed();
    answering.ws.send(clientFrame(TEXT, 'alive'));
    let frame = await answering.ws.readFrame();
    while (frame.opcode === PING) frame = await answering.ws.readFrame();
    assert.equal(frame.payload.toString(), 'alive');
    assert.ok([...worker.connections.values()].every((c) => c instanceof TcpConnection));
  });
});
