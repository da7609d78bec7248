import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { ErrorCodes, SEND_FAIL, statistics, TcpConnection } from '../../src/index.js';
import { eventually, listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

test('a slow reader fills the send buffer: onBufferFull, refused sends, then onBufferDrain', async (t) => {
  const events: string[] = [];
  const results: (boolean | null)[] = [];
  let server: TcpConnection<Buffer, unknown> | undefined;
  const worker = await listenWorker(t, 'tcp://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxSendBufferSize = 256 * 1024;
      server = connection;
    };
    w.onBufferFull = () => events.push('full');
    w.onBufferDrain = () => events.push('drain');
    w.onError = (_c, code, _m, error) => events.push(`error:${code}:${error.code}`);
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.socket.pause();
  await eventually(() => server !== undefined, 'the server side of the connection');
  const connection = server as TcpConnection<Buffer, unknown>;
  const chunk = Buffer.alloc(64 * 1024, 1);
  const failBefore = statistics.sendFail;
  // The kernel's socket buffers absorb some megabytes before Node queues anything.
  for (let i = 0; i < 2000 && !events.includes('full'); i++) results.push(connection.send(chunk));
  assert.ok(events.includes('full'), 'onBufferFull fired');
  assert.ok(connection.getSendBufferQueueSize() >= 256 * 1024);
  assert.equal(connection.send(chunk), false, 'a send past the limit is refused');
  assert.equal(statistics.sendFail, failBefore + 1);
  assert.deepEqual(events, ['full', `error:${SEND_FAIL}:${ErrorCodes.SEND_BUFFER_FULL}`]);
  assert.ok(results.includes(true) || results.includes(null));

  const accepted = results.filter((r) => r !== false).length;
  client.socket.resume();
  await client.readBytes(accepted * chunk.length);
  await eventually(() => events.includes('drain'), 'onBufferDrain');
  assert.deepEqual(events.slice(2), ['drain']);
  assert.equal(connection.send(Buffer.from('after')), true);
  assert.equal((await client.readBytes(5)).toString(), 'after');
});

test('onBufferDrain fires even when maxSendBufferSize is below the socket high-water mark', async (t) => {
  const events: string[] = [];
  let server: TcpConnection<Buffer, unknown> | undefined;
  const worker = await listenWorker(t, 'tcp://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxSendBufferSize = 1024;
      server = connection;
    };
    w.onBufferFull = () => events.push('full');
    w.onBufferDrain = () => events.push('drain');
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.socket.pause();
  await eventually(() => server !== undefined, 'the server side of the connection');
  const connection = server as TcpConnection<Buffer, unknown>;
  let sent = 0;
  for (let i = 0; i < 5000 && !events.includes('full'); i++) {
    if (connection.send(Buffer.alloc(1000, 2)) !== false) sent++;
  }
  assert.deepEqual(events, ['full']);
  client.socket.resume();
  await client.readBytes(sent * 1000);
  await eventually(() => events.length === 2, 'onBufferDrain');
  assert.deepEqual(events, ['full', 'drain']);
});

test('send answers true when written, false once closing; close flushes its last message', async (t) => {
  const results: (boolean | null)[] = [];
  let closes = 0;
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection, line) => {
      results.push(connection.send(`re:${line}`));
      connection.close('bye');
      results.push(connection.send('too late'));
    };
    w.onClose = () => {
      closes++;
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('hi\n');
  assert.equal(await client.readLine(), 're:hi');
  assert.equal(await client.readLine(), 'bye');
  await client.closed();
  await eventually(() => closes === 1, 'onClose');
  assert.deepEqual(results, [true, false]);
  assert.equal(worker.connections.size, 0);
});

test('replies to pipelined packets leave in order, batched per read', async (t) => {
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection, line) => {
      connection.send(line.toUpperCase());
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  const lines = Array.from({ length: 500 }, (_, i) => `line-${i}`);
  client.write(`${lines.join('\n')}\n`);
  for (const line of lines) assert.equal(await client.readLine(), line.toUpperCase());
});

test('pauseRecv holds packets until resumeRecv, then delivers them in order', async (t) => {
  const seen: string[] = [];
  let paused: TcpConnection<string, unknown> | undefined;
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection, line) => {
      seen.push(line);
      if (line === 'first') {
        connection.pauseRecv();
        paused ??= connection;
        connection.send('paused');
      }
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('first\nsecond\n');
  assert.equal(await client.readLine(), 'paused');
  client.write('third\n');
  // A round trip on another connection shows the server loop has run meanwhile.
  const probe = await TestClient.connect(worker.port);
  t.after(() => probe.destroy());
  probe.write('first\n');
  assert.equal(await probe.readLine(), 'paused');
  assert.deepEqual(seen, ['first', 'first']);
  assert.ok((paused?.getRecvBufferQueueSize() ?? 0) > 0);
  paused?.resumeRecv();
  await eventually(() => seen.length === 4, 'the held packets');
  assert.deepEqual(seen, ['first', 'first', 'second', 'third']);
});

test('destroy closes at once and onClose runs once; byte counters count both ways', async (t) => {
  let closes = 0;
  let server: TcpConnection<string, unknown> | undefined;
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => {
      server = connection;
      connection.send('12345');
    };
    w.onClose = () => {
      closes++;
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('abc\n');
  assert.equal(await client.readLine(), '12345');
  const connection = server as TcpConnection<string, unknown>;
  assert.equal(connection.bytesRead, 4);
  assert.equal(connection.bytesWritten, 6);
  assert.equal(connection.getStatus(false), 'ESTABLISHED');
  connection.destroy();
  connection.destroy();
  await client.closed();
  await eventually(() => closes === 1, 'onClose');
  assert.equal(connection.getStatus(false), 'CLOSED');
  assert.equal(connection.send('x'), false);
});

test('addresses and IP version are reported for IPv4 and IPv6 peers', async (t) => {
  const seen: string[] = [];
  const worker = await listenWorker(t, 'text://[::1]:0', (w) => {
    w.onMessage = (connection) => {
      seen.push(connection.getRemoteIp(), String(connection.isIpV6()), String(connection.isIpV4()));
      connection.send(connection.getRemoteAddress());
    };
  });
  const client = await TestClient.connect(worker.port, '::1');
  t.after(() => client.destroy());
  client.write('who\n');
  const address = await client.readLine();
  assert.equal(address, `[::1]:${client.socket.localPort}`);
  assert.deepEqual(seen, ['::1', 'true', 'false']);
});

test('a raw connection paused with pauseRecv delivers what arrived meanwhile on resumeRecv', async (t) => {
  const seen: string[] = [];
  let paused: TcpConnection<Buffer, unknown> | undefined;
  const worker = await listenWorker(t, 'tcp://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      seen.push(data.toString());
      if (paused === undefined) {
        paused = connection;
        connection.pauseRecv();
        connection.send('paused');
      }
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('first');
  assert.equal((await client.readBytes(6)).toString(), 'paused');
  client.write('second');
  await new Promise<void>((resolve) => client.socket.write('', () => resolve()));
  assert.deepEqual(seen, ['first']);
  paused?.resumeRecv();
  await eventually(() => seen.join('') === 'firstsecond', 'the held bytes');
});

test('close() cuts a peer that never closes its side lingerTimeout after flushing', async (t) => {
  const previous = TcpConnection.lingerTimeout;
  TcpConnection.lingerTimeout = 0.2;
  t.after(() => {
    TcpConnection.lingerTimeout = previous;
  });
  let closed = false;
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => {
      connection.close('goodbye');
    };
    w.onClose = () => {
      closed = true;
    };
  });
  // allowHalfOpen: the client keeps its side open after the server's FIN.
  const socket = connect({ port: worker.port, host: '127.0.0.1', allowHalfOpen: true });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  socket.write('x\n');
  const [reply] = (await once(socket, 'data')) as [Buffer];
  assert.equal(reply.toString(), 'goodbye\n');
  await once(socket, 'end');
  await eventually(() => closed, 'the server to cut the half-open connection');
});
