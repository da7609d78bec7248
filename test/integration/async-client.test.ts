import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsyncTcpConnection, CONNECT_FAIL, ErrorCodes, Worker } from '../../src/index.js';
import { freePort } from '../helpers/start-file.js';

function echoWorker(port: number, tag: string): Worker<`text://127.0.0.1:${number}`> {
  const worker = new Worker(`text://127.0.0.1:${port}` as `text://127.0.0.1:${number}`);
  worker.onMessage = (connection, line) => {
    connection.send(`${tag}:${line}`);
  };
  return worker;
}

test('a refused connect reports CONNECT_FAIL, then onClose', async () => {
  const port = await freePort();
  const client = new AsyncTcpConnection(`text://127.0.0.1:${port}`);
  const events: string[] = [];
  const closed = new Promise<void>((resolve) => {
    client.onError = (_c, code, _m, error) => events.push(`error:${code}:${error.code}`);
    client.onClose = () => {
      events.push('close');
      resolve();
    };
  });
  client.connect();
  await closed;
  assert.deepEqual(events, [`error:${CONNECT_FAIL}:${ErrorCodes.CONNECT_FAILED}`, 'close']);
});

test('the client reconnects from onClose after the server restarts, keeping its callbacks', async (t) => {
  const port = await freePort();
  let server = echoWorker(port, 'first');
  await server.listen();
  t.after(() => server.stop());

  const client = new AsyncTcpConnection(`text://127.0.0.1:${port}`);
  t.after(() => {
    client.onClose = null;
    client.destroy();
  });
  const replies: string[] = [];
  let connects = 0;
  let waiter: ((line: string) => void) | null = null;
  const nextReply = () => new Promise<string>((resolve) => (waiter = resolve));
  client.onConnect = (connection) => {
    connects++;
    connection.send(`hello ${connects}`);
  };
  client.onMessage = (_c, line) => {
    replies.push(line);
    waiter?.(line);
  };
  client.onClose = (connection) => connection.reconnect(0.05);
  let reply = nextReply();
  client.connect();
  assert.equal(await reply, 'first:hello 1');

  reply = nextReply();
  await server.stop();
  server = echoWorker(port, 'second');
  await server.listen();
  assert.equal(await reply, 'second:hello 2');
  assert.ok(connects >= 2);
  assert.ok(client.bytesRead > 0);
});

test('messages sent before connect() are queued, within maxSendBufferSize', async (t) => {
  const worker = echoWorker(0, 'q');
  await worker.listen();
  t.after(() => worker.stop());
  const client = new AsyncTcpConnection(`text://127.0.0.1:${worker.port}`);
  t.after(() => client.destroy());
  client.maxSendBufferSize = 10;
  const errors: string[] = [];
  client.onError = (_c, _code, _m, error) => errors.push(error.code);
  assert.equal(client.send('12345'), null);
  assert.equal(client.send('67890'), null);
  assert.equal(client.send('refused'), false);
  assert.deepEqual(errors, [ErrorCodes.SEND_BUFFER_FULL]);
  const replies: string[] = [];
  const done = new Promise<void>((resolve) => {
    client.onMessage = (_c, line) => {
      replies.push(line);
      if (replies.length === 2) resolve();
    };
  });
  client.connect();
  await done;
  assert.deepEqual(replies, ['q:12345', 'q:67890']);
});

test('pipe proxies a stream both ways with backpressure', async (t) => {
  const backend = new Worker('tcp://127.0.0.1:0');
  backend.onMessage = (connection, data) => {
    connection.send(data);
  };
  await backend.listen();
  t.after(() => backend.stop());
  const proxy = new Worker('tcp://127.0.0.1:0');
  proxy.onConnect = (connection) => {
    const upstream = new AsyncTcpConnection(`tcp://127.0.0.1:${backend.port}`);
    upstream.maxSendBufferSize = 64 * 1024;
    connection.maxSendBufferSize = 64 * 1024;
    connection.pipe(upstream);
    upstream.pipe(connection);
    upstream.connect();
  };
  await proxy.listen();
  t.after(() => proxy.stop());

  const { TestClient } = await import('../helpers/test-client.js');
  const client = await TestClient.connect(proxy.port);
  t.after(() => client.destroy());
  const payload = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) % 256;
  client.write(payload);
  const echoed = await client.readBytes(payload.length);
  assert.ok(echoed.equals(payload));
});
