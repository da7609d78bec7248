import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, PROTOCOL_FAIL, TcpConnection, type WorkermanError } from '../../src/index.js';
import { eventually, listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

function frameHeader(total: number): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(total, 0);
  return header;
}

interface Reported {
  code: number;
  error: WorkermanError;
}

test('a 100 MB announced frame is refused without allocating it; other connections go on', async (t) => {
  const reported: Reported[] = [];
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onMessage = (connection, body) => {
      connection.send(body);
    };
    w.onError = (_connection, code, _message, error) => {
      reported.push({ code, error });
    };
  });
  const bystander = await TestClient.connect(worker.port);
  const attacker = await TestClient.connect(worker.port);
  t.after(() => {
    bystander.destroy();
    attacker.destroy();
  });
  global.gc?.();
  const before = process.memoryUsage().arrayBuffers;
  attacker.write(Buffer.concat([frameHeader(100 * 1024 * 1024), Buffer.alloc(1000)]));
  await attacker.closed();
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 20 * 1024 * 1024, `receive side grew by ${grown} bytes`);
  assert.equal(reported.length, 1);
  assert.equal(reported[0]?.code, PROTOCOL_FAIL);
  assert.equal(reported[0]?.error.code, ErrorCodes.PACKAGE_TOO_LARGE);
  assert.match(reported[0]?.error.message ?? '', /104857600 bytes.*maxPackageSize 10485760/);

  bystander.write(Buffer.concat([frameHeader(7), Buffer.from('abc')]));
  assert.equal((await bystander.readBytes(7)).subarray(4).toString(), 'abc');
});

test('peers announcing large frames and sending a few bytes hold memory for those bytes, not the announced size', async (t) => {
  const peers = 50;
  const announced = 8 * 1024 * 1024;
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onMessage = (connection, body) => {
      connection.send(`got ${body.length}`);
    };
  });
  const clients = await Promise.all(
    Array.from({ length: peers }, () => TestClient.connect(worker.port)),
  );
  t.after(() => {
    for (const client of clients) client.destroy();
  });
  global.gc?.();
  const before = process.memoryUsage().arrayBuffers;
  for (const client of clients)
    client.write(Buffer.concat([frameHeader(announced), Buffer.alloc(4)]));
  await eventually(
    () =>
      worker.connections.size === peers &&
      [...worker.connections.values()].every((c) => c.getRecvBufferQueueSize() === 8),
    "every peer's 8 bytes to be buffered",
  );
  const grown = process.memoryUsage().arrayBuffers - before;
  // Allocating each announced frame up front would be 400 MiB.
  assert.ok(
    grown < announced,
    `${peers} peers with 8 bytes each grew external memory by ${grown} bytes`,
  );

  // The frames still complete, arriving in pieces.
  const [first] = clients as [TestClient];
  const rest = Buffer.alloc(announced - 8, 7);
  for (let at = 0; at < rest.length; at += 256 * 1024) {
    if (!first.socket.write(rest.subarray(at, at + 256 * 1024))) {
      await new Promise((resolve) => first.socket.once('drain', resolve));
    }
  }
  const reply = await first.readBytes(4);
  assert.equal(
    (await first.readBytes(reply.readUInt32BE(0) - 4)).toString(),
    `got ${announced - 4}`,
  );
});

test('a frame of exactly maxPackageSize in 64 KB chunks arrives whole; one byte more is refused', async (t) => {
  const received: number[] = [];
  const errors: string[] = [];
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onMessage = (connection, body) => {
      received.push(body.length);
      connection.send(`got ${body.length} sum ${body.reduce((a, b) => (a + b) % 65536, 0)}`);
    };
    w.onError = (_c, _code, _m, error) => {
      errors.push(error.code);
    };
  });
  const size = TcpConnection.defaultMaxPackageSize;
  const frame = Buffer.alloc(size);
  frame.writeUInt32BE(size, 0);
  let sum = 0;
  for (let i = 4; i < size; i++) {
    frame[i] = i % 251;
    sum = (sum + (i % 251)) % 65536;
  }
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  for (let at = 0; at < size; at += 65536) {
    if (!client.socket.write(frame.subarray(at, at + 65536))) {
      await new Promise((resolve) => client.socket.once('drain', resolve));
    }
  }
  const reply = await client.readBytes(4);
  const text = (await client.readBytes(reply.readUInt32BE(0) - 4)).toString();
  assert.equal(text, `got ${size - 4} sum ${sum}`);
  assert.deepEqual(received, [size - 4]);

  const over = await TestClient.connect(worker.port);
  t.after(() => over.destroy());
  over.write(frameHeader(size + 1));
  await over.closed();
  assert.deepEqual(errors, [ErrorCodes.PACKAGE_TOO_LARGE]);
});

test('a text line is accepted at maxPackageSize and refused when the limit passes without a newline', async (t) => {
  const lines: number[] = [];
  const errors: string[] = [];
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxPackageSize = 1024;
    };
    w.onMessage = (connection, line) => {
      lines.push(line.length);
      connection.send('ok');
    };
    w.onError = (_c, _code, _m, error) => {
      errors.push(error.code);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write(`${'a'.repeat(1023)}\n`);
  assert.equal(await client.readLine(), 'ok');
  client.write('b'.repeat(1023));
  client.write('b');
  await client.closed();
  assert.deepEqual(lines, [1023]);
  assert.deepEqual(errors, [ErrorCodes.PACKAGE_TOO_LARGE]);
});

test('a codec rejecting the input closes that connection with WM_ERR_BAD_PACKET', async (t) => {
  const errors: string[] = [];
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onError = (_c, _code, _m, error) => {
      errors.push(error.code);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write(frameHeader(2));
  await client.closed();
  assert.deepEqual(errors, [ErrorCodes.BAD_PACKET]);
});

test('a frame arriving one byte per read is delivered once, whole', async (t) => {
  const bodies: string[] = [];
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onMessage = (connection, body) => {
      bodies.push(body.toString());
      connection.send('done');
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.socket.setNoDelay(true);
  const body = Buffer.from('split into single bytes ✓');
  const frame = Buffer.concat([frameHeader(4 + body.length), body]);
  for (const byte of frame) {
    // Each byte is flushed to the kernel before the next is written.
    await new Promise<void>((resolve) => client.socket.write(Buffer.from([byte]), () => resolve()));
  }
  const reply = await client.readBytes(8);
  assert.equal(reply.subarray(4).toString(), 'done');
  assert.deepEqual(bodies, [body.toString()]);
});

test('many frames in one chunk are each delivered, in order', async (t) => {
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.onMessage = (connection, body) => {
      connection.send(body);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  const bodies = Array.from({ length: 300 }, (_, i) => Buffer.from(`frame number ${i}`));
  client.write(Buffer.concat(bodies.map((b) => Buffer.concat([frameHeader(4 + b.length), b]))));
  for (const body of bodies) {
    const header = await client.readBytes(4);
    assert.equal((await client.readBytes(header.readUInt32BE(0) - 4)).toString(), body.toString());
  }
});
