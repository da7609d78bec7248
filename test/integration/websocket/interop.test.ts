import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { describe, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { AsyncTcpConnection, webSocketDefaults } from '../../../src/index.js';
import { writeFrame } from '../../../src/protocols/websocket/frame-writer.js';
import { listenWorker } from '../../helpers/listen.js';
import { connectWebSocketClient } from '../../helpers/ws-client-connect.js';
import { clientFrame, RawWebSocketClient } from '../../helpers/ws-raw-client.js';

// The interop matrix: the `ws` package as the peer in both directions, for
// generated traffic (text and binary, sizes 0 B to 16 MB, fragmented
// messages, pings, close codes, permessage-deflate on and off), and the same
// invalid frames sent to both implementations, which must agree on the close
// code.

const SIZES = [0, 1, 125, 126, 65535, 65536, 1024 * 1024, 16 * 1024 * 1024];
const BIG = 32 * 1024 * 1024;

/** Deterministic bytes (not all equal, so a misplaced byte shows). */
function pattern(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >>> 16;
  }
  return out;
}

function textOf(size: number): string {
  return 'é'.repeat(Math.floor(size / 2)) + (size % 2 ? 'a' : '');
}

/** Compressed messages inflate as big as uncompressed ones may be, for this test (the default is 4 MiB). */
function inflateUpToBig(t: TestContext) {
  const saved = webSocketDefaults.maxInflatedSize;
  webSocketDefaults.maxInflatedSize = BIG;
  t.after(() => {
    webSocketDefaults.maxInflatedSize = saved;
  });
}

async function ourEchoServer(t: TestContext) {
  return listenWorker(t, 'websocket://127.0.0.1:0', (worker) => {
    worker.onConnect = (connection) => {
      connection.maxPackageSize = BIG;
      connection.maxSendBufferSize = BIG;
    };
    worker.onMessage = (connection, data) => {
      connection.send(data);
    };
  });
}

async function wsEchoServer(t: TestContext, perMessageDeflate: boolean) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate,
    maxPayload: BIG,
  });
  await once(server, 'listening');
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  t.after(() => {
    for (const client of server.clients) client.terminate();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

describe('ws client -> our websocket:// server', () => {
  for (const perMessageDeflate of [false, true]) {
    test(`text and binary 0 B..16 MB, fragmented, pings, close codes (deflate ${perMessageDeflate})`, async (t) => {
      inflateUpToBig(t);
      const worker = await ourEchoServer(t);
      const client = new WebSocket(`ws://127.0.0.1:${worker.port}/`, {
        perMessageDeflate,
        maxPayload: BIG,
      });
      t.after(() => client.terminate());
      await once(client, 'open');
      assert.equal(client.extensions.includes('permessage-deflate'), perMessageDeflate);
      const next = () =>
        new Promise<[Buffer, boolean]>((resolve) =>
          client.once('message', (data, isBinary) => resolve([data as Buffer, isBinary])),
        );
      for (const size of SIZES) {
        const text = textOf(size);
        client.send(text);
        const [echoedText, textIsBinary] = await next();
        assert.equal(textIsBinary, false);
        assert.equal(echoedText.toString(), text, `text ${size}`);
        const bytes = pattern(size, size);
        client.send(bytes);
        const [echoedBytes, isBinary] = await next();
        assert.equal(isBinary, true);
        assert.ok(echoedBytes.equals(bytes), `binary ${size}`);
      }
      // Fragmented: ws sends fin=false frames, then the last with fin=true.
      const parts = ['frag', 'ment', 'ed ', '€'];
      parts.forEach((part, i) => {
        client.send(part, { fin: i === parts.length - 1 });
      });
      assert.equal((await next())[0].toString(), parts.join(''));
      const pong = once(client, 'pong');
      client.ping(Buffer.from('are you there'));
      assert.equal(((await pong)[0] as Buffer).toString(), 'are you there');
      const closed = once(client, 'close');
      client.close(4100, 'matrix done');
      const [code, reason] = (await closed) as [number, Buffer];
      assert.deepEqual([code, reason.toString()], [4100, '']);
    });
  }
});

describe('our ws:// client -> ws server', () => {
  for (const perMessageDeflate of [false, true]) {
    test(`text and binary 0 B..16 MB, pings, close (deflate ${perMessageDeflate})`, async (t) => {
      inflateUpToBig(t);
      const port = await wsEchoServer(t, perMessageDeflate);
      const client = new AsyncTcpConnection(`ws://127.0.0.1:${port}/`);
      client.maxPackageSize = BIG;
      client.maxSendBufferSize = BIG;
      const queue: (string | Buffer)[] = [];
      let wake: (() => void) | null = null;
      client.onMessage = (_c, data) => {
        queue.push(data);
        wake?.();
      };
      const next = async () => {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return queue.shift() as string | Buffer;
      };
      const extensions = await connectWebSocketClient(t, client);
      assert.equal(extensions.includes('permessage-deflate'), perMessageDeflate);
      for (const size of SIZES) {
        const text = textOf(size);
        client.send(text);
        assert.equal(await next(), text, `text ${size}`);
        const bytes = pattern(size, size + 1);
        client.send(bytes);
        const echoed = await next();
        assert.ok(Buffer.isBuffer(echoed) && echoed.equals(bytes), `binary ${size}`);
      }
      const pong = new Promise<Buffer>((resolve) => {
        client.onWebSocketPong = (_c, data) => resolve(data);
      });
      client.send(writeFrame(0x9, 'ping?', { mask: true }), true);
      assert.equal((await pong).toString(), 'ping?');
      const closed = new Promise<void>((resolve) => {
        client.onClose = () => resolve();
      });
      client.close();
      await closed;
    });
  }
});

/** Invalid frames, each with the close code RFC 6455 asks for. */
const INVALID: [name: string, bytes: () => Buffer, code: number][] = [
  ['RSV1 without an extension', () => clientFrame(1, 'x', { rsv: 0x40 }), 1002],
  ['RSV2', () => clientFrame(1, 'x', { rsv: 0x20 }), 1002],
  ['reserved data opcode 3', () => clientFrame(3, 'x'), 1002],
  ['reserved control opcode 0xB', () => clientFrame(0xb, 'x'), 1002],
  ['unmasked frame', () => clientFrame(2, 'x', { mask: false }), 1002],
  ['fragmented ping', () => clientFrame(9, 'x', { fin: false }), 1002],
  ['ping of 126 bytes', () => clientFrame(9, Buffer.alloc(126)), 1002],
  ['continuation first', () => clientFrame(0, 'x'), 1002],
  [
    'text inside a fragmented message',
    () => Buffer.concat([clientFrame(1, 'a', { fin: false }), clientFrame(1, 'b')]),
    1002,
  ],
  ['invalid UTF-8', () => clientFrame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007],
  [
    'invalid UTF-8 across fragments',
    () =>
      Buffer.concat([
        clientFrame(1, Buffer.from([0xe2, 0x82]), { fin: false }),
        clientFrame(0, Buffer.from([0x41])),
      ]),
    1007,
  ],
  ['close with a 1-byte body', () => clientFrame(8, Buffer.from([3])), 1002],
  ['close code 1004', () => clientFrame(8, Buffer.from([0x03, 0xec])), 1002],
  ['close code 2999', () => clientFrame(8, Buffer.from([0x0b, 0xb7])), 1002],
  ['close reason not UTF-8', () => clientFrame(8, Buffer.from([0x03, 0xe8, 0xc0, 0x80])), 1007],
  ['message over the limit', () => clientFrame(2, Buffer.alloc(1024 + 1)), 1009],
];

describe('invalid frames: ws and our server agree on the close code', () => {
  test('every invalid frame, against both servers', async (t) => {
    const ours = await listenWorker(t, 'websocket://127.0.0.1:0', (worker) => {
      worker.onConnect = (connection) => {
        connection.maxPackageSize = 1024;
      };
    });
    const reference = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 });
    await once(reference, 'listening');
    reference.on('connection', (socket) => socket.on('error', () => {}));
    t.after(() => reference.close());
    const referencePort = (reference.address() as { port: number }).port;
    for (const [name, bytes, code] of INVALID) {
      const results: number[] = [];
      for (const port of [ours.port, referencePort]) {
        const { ws } = await RawWebSocketClient.open(port);
        ws.send(bytes());
        results.push(await ws.readClose());
        ws.destroy();
      }
      assert.deepEqual(results, [code, code], name);
    }
  });
});

describe('invalid frames from a server: our client and ws agree', () => {
  /** A fake server that answers the handshake, then sends `bytes`. */
  async function fakeServer(t: TestContext, bytes: Buffer) {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
      socket.once('data', (head) => {
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(head.toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
          .digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        socket.write(bytes);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => {
      for (const socket of sockets) socket.destroy();
      server.close();
    });
    const closeCodes: number[] = [];
    const received = new Promise<void>((resolve) => {
      server.on('connection', (socket) => {
        let all = Buffer.alloc(0);
        socket.on('data', (chunk) => {
          all = Buffer.concat([all, chunk]);
          const end = all.indexOf('\r\n\r\n');
          const frames = end === -1 ? null : all.subarray(end + 4);
          if (frames && frames.length >= 2 && ((frames[0] as number) & 0x0f) === 8) {
            const masked = ((frames[1] as number) & 0x80) !== 0;
            const length = (frames[1] as number) & 0x7f;
            if (frames.length >= 2 + (masked ? 4 : 0) + length) {
              const payload = Buffer.from(frames.subarray(6, 6 + length));
              for (let i = 0; i < length; i++)
                payload[i] = (payload[i] as number) ^ (frames[2 + (i % 4)] as number);
              closeCodes.push(length >= 2 ? payload.readUInt16BE(0) : 1005);
              resolve();
            }
          }
        });
      });
    });
    return { port: (server.address() as { port: number }).port, closeCodes, received };
  }

  const SERVER_INVALID: [string, Buffer, number][] = [
    ['a masked server frame', clientFrame(1, 'x'), 1002],
    ['RSV3', clientFrame(1, 'x', { mask: false, rsv: 0x10 }), 1002],
    ['reserved opcode', clientFrame(5, 'x', { mask: false }), 1002],
    ['invalid UTF-8', clientFrame(1, Buffer.from([0xff]), { mask: false }), 1007],
  ];
  for (const [name, bytes, code] of SERVER_INVALID) {
    test(name, async (t) => {
      const codes: number[] = [];
      const forOurs = await fakeServer(t, bytes);
      const ours = new AsyncTcpConnection(`ws://127.0.0.1:${forOurs.port}/`);
      ours.connect();
      t.after(() => ours.destroy());
      await forOurs.received;
      codes.push(...forOurs.closeCodes);
      const forWs = await fakeServer(t, bytes);
      const reference = new WebSocket(`ws://127.0.0.1:${forWs.port}/`);
      reference.on('error', () => {});
      t.after(() => reference.terminate());
      await forWs.received;
      codes.push(...forWs.closeCodes);
      assert.deepEqual(codes, [code, code]);
    });
  }
});
