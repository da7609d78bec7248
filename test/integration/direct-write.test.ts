// Sends that find nothing waiting go straight to the socket's handle
// (TcpConnection.directWrites); each test runs with it on and off, and the
// outcomes must be the same: bytes in order, the send-buffer limit, drain,
// close after a write the kernel could not take at once, a peer that resets.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import type { TcpConnection } from '../../src/index.js';
import { idleHandle } from '../../src/transport/direct-write.js';
import { eventually, listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';
import { bothWriteModes } from '../helpers/write-modes.js';

type Server = TcpConnection<Buffer, unknown>;
type HandleWrite = (...args: unknown[]) => number;

const socketOf = (connection: Server) => (connection as unknown as { socket: Socket }).socket;

/** Counts the handle writes of `connection` that did not come through Node's stream. */
function countDirectWrites(connection: Server): { readonly count: number } {
  const socket = socketOf(connection) as Socket & { _handle: Record<string, HandleWrite> };
  const handle = socket._handle;
  const counter = { count: 0 };
  let inStream = false;
  const streamWrite = socket._write;
  socket._write = function (this: Socket, ...args: Parameters<Socket['_write']>) {
    inStream = true;
    try {
      streamWrite.apply(this, args);
    } finally {
      inStream = false;
    }
  };
  for (const name of ['writeBuffer', 'writeUtf8String']) {
    const original = handle[name] as HandleWrite;
    handle[name] = function (this: unknown, ...args: unknown[]) {
      if (!inStream) counter.count++;
      return original.apply(this, args);
    };
  }
  return counter;
}

async function serve(t: TestContext, setup: (connection: Server) => void = () => {}) {
  let server: Server | undefined;
  const events: string[] = [];
  const worker = await listenWorker(t, 'tcp://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      setup(connection);
      server = connection;
    };
    w.onBufferFull = () => events.push('full');
    w.onBufferDrain = () => events.push('drain');
    w.onClose = () => events.push('close');
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  await eventually(() => server !== undefined, 'the server side of the connection');
  return { server: server as Server, client, events };
}

/** `count` numbered blocks of `size` bytes: block i is filled with i % 251. */
const block = (i: number, size: number) => Buffer.alloc(size, i % 251);

bothWriteModes(
  'a send to an idle socket goes to its handle; bytesWritten counts it',
  async (t, direct) => {
    const { server, client } = await serve(t);
    const writes = countDirectWrites(server);
    setTimeout(() => server.send(Buffer.from('hello\n')), 1);
    assert.equal(await client.readLine(), 'hello');
    assert.equal(writes.count, direct ? 1 : 0);
    assert.equal(server.bytesWritten, 6);
  },
);

/** Lets the current event-loop turn end, so what it held is written. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

bothWriteModes(
  'what the kernel does not take at once waits in order, counted against the limit',
  async (t, direct) => {
    const { server, client, events } = await serve(t, (connection) => {
      connection.maxSendBufferSize = 20 * 1024 * 1024;
    });
    const writes = countDirectWrites(server);
    client.socket.pause();
    // Far more than the loopback socket buffers take: the send stays partly queued.
    const big = block(1, 16 * 1024 * 1024);
    assert.equal(server.send(big), true, 'held for the end of the turn');
    await nextTurn();
    assert.equal(writes.count, direct ? 1 : 0, 'alone in its turn: straight to the handle');
    const waiting = server.getSendBufferQueueSize();
    assert.ok(waiting > 0 && waiting <= big.length, `what waits is counted (${waiting})`);
    assert.equal(events.length, 0, 'below the limit');
    const second = block(2, 10 * 1024 * 1024);
    assert.notEqual(server.send(second), false, 'below the limit: taken');
    assert.deepEqual(events, ['full'], 'past maxSendBufferSize: onBufferFull');
    assert.equal(server.send(block(3, 10)), false, 'full: refused');
    let emptied = false;
    server.whenSendBufferEmpty(() => {
      emptied = true;
    });
    client.socket.resume();
    const received = await client.readBytes(big.length + second.length);
    assert.ok(received.equals(Buffer.concat([big, second])), 'every byte, in order');
    await eventually(() => events.includes('drain'), 'onBufferDrain');
    await eventually(() => emptied, 'whenSendBufferEmpty');
    assert.equal(server.getSendBufferQueueSize(), 0);
    // Drained: sends are taken again.
    assert.equal(server.send(block(4, 100)), true);
    assert.ok((await client.readBytes(100)).equals(block(4, 100)));
  },
);

bothWriteModes('sends behind a queued direct write keep their order', async (t) => {
  const { server, client } = await serve(t, (connection) => {
    connection.maxSendBufferSize = 64 * 1024 * 1024;
  });
  client.socket.pause();
  const sent: Buffer[] = [block(0, 8 * 1024 * 1024)];
  server.send(sent[0] as Buffer);
  await nextTurn(); // written alone (directly, when on), mostly still queued
  for (let i = 1; i <= 50; i++) {
    const next = block(i, 1000 + i);
    sent.push(next);
    assert.notEqual(server.send(next), false);
  }
  client.socket.resume();
  const expected = Buffer.concat(sent);
  assert.ok((await client.readBytes(expected.length)).equals(expected));
});

bothWriteModes(
  'close() after a write the kernel could not take at once delivers it, then the FIN',
  async (t) => {
    const { server, client, events } = await serve(t, (connection) => {
      connection.maxSendBufferSize = 64 * 1024 * 1024;
    });
    client.socket.pause();
    const big = block(7, 8 * 1024 * 1024);
    server.send(big);
    server.close(Buffer.from('bye'));
    client.socket.resume();
    const received = await client.readBytes(big.length + 3);
    assert.ok(received.subarray(0, big.length).equals(big));
    assert.equal(received.subarray(big.length).toString(), 'bye');
    await client.closed();
    await eventually(() => events.includes('close'), 'onClose');
  },
);

bothWriteModes('a peer that resets under a queued write closes this connection only', async (t) => {
  const { server, client, events } = await serve(t, (connection) => {
    connection.maxSendBufferSize = 64 * 1024 * 1024;
  });
  const other = await serve(t);
  client.socket.pause();
  server.send(block(9, 16 * 1024 * 1024));
  await nextTurn();
  assert.ok(server.getSendBufferQueueSize() > 0);
  client.socket.resetAndDestroy();
  await eventually(() => events.includes('close'), 'onClose of the reset connection');
  assert.equal(events.filter((event) => event === 'close').length, 1);
  assert.equal(server.send(Buffer.from('late')), false, 'a closed connection refuses');
  other.server.send(Buffer.from('still here\n'));
  assert.equal(await other.client.readLine(), 'still here');
});

bothWriteModes(
  'a write the kernel refuses at once (the peer reset before it) closes this connection only',
  async (t, direct) => {
    const { server, client, events } = await serve(t);
    const other = await serve(t);
    const writes = countDirectWrites(server);
    // Not reading: the reset is only met by the write below.
    server.pauseRecv();
    await nextTurn();
    client.socket.resetAndDestroy();
    await once(client.socket, 'close');
    server.send(Buffer.from('into a reset socket'));
    await eventually(() => events.includes('close'), 'onClose of the reset connection');
    assert.equal(writes.count, direct ? 1 : 0, 'the refused write went to the handle directly');
    assert.equal(events.filter((event) => event === 'close').length, 1);
    assert.equal(server.send(Buffer.from('late')), false, 'a closed connection refuses');
    other.server.send(Buffer.from('still here\n'));
    assert.equal(await other.client.readLine(), 'still here');
  },
);

test('TLS sockets and connecting sockets never get a direct write', async () => {
  const { TLSSocket } = await import('node:tls');
  const { Socket: NetSocket } = await import('node:net');
  const tls = new TLSSocket(new NetSocket());
  assert.equal(idleHandle(tls), null, 'TLS');
  tls.destroy();
  const connecting = new NetSocket();
  connecting.connect({ port: 9, host: '127.0.0.1' });
  connecting.on('error', () => {});
  assert.equal(idleHandle(connecting), null, 'connecting');
  connecting.destroy();
  await once(connecting, 'close');
});
