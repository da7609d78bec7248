// The constructor's options (`protocol`, `transport`, `context`) do at run
// time what their types promise: the codec and transport they name serve
// the connections, and each connection gets its own context from the maker.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Frame, Worker } from '../../src/index.js';
import { TestClient } from '../helpers/test-client.js';

test('the protocol option gives a unix:// worker the text codec', async (t) => {
  const path = join(tmpdir(), `workerman-options-${process.pid}.sock`);
  const worker = new Worker(`unix://${path}`, { protocol: 'text' });
  worker.onMessage = (connection, line) => connection.send(line.toUpperCase());
  await worker.listen();
  t.after(() => worker.stop());
  const client = await TestClient.connectPath(path);
  t.after(() => client.destroy());
  client.write('hello\n');
  assert.equal(await client.readLine(), 'HELLO');
});

test('the protocol option wins over the scheme: frame:// bytes on a text:// address', async (t) => {
  const worker = new Worker('text://127.0.0.1:0', { protocol: Frame });
  worker.onMessage = (connection, packet) => connection.send(Buffer.from(`got ${packet.length}`));
  await worker.listen();
  t.after(() => worker.stop());
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  const frame = Buffer.alloc(7);
  frame.writeUInt32BE(7, 0);
  frame.write('abc', 4);
  client.write(frame);
  const header = await client.readBytes(4);
  const body = await client.readBytes(header.readUInt32BE(0) - 4);
  assert.equal(body.toString(), 'got 3');
});

test('the transport option serves a text:// worker over UDP', async (t) => {
  const worker = new Worker('text://127.0.0.1:0', { transport: 'udp' });
  worker.onMessage = (connection, line) => connection.send(`${line}!`);
  await worker.listen();
  t.after(() => worker.stop());
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  socket.send('ping\n', worker.port, '127.0.0.1');
  const [reply] = (await once(socket, 'message')) as [Buffer];
  assert.equal(reply.toString(), 'ping!\n');
});

test('each connection gets its own context from the context option, made on first use', async (t) => {
  let made = 0;
  const worker = new Worker('text://127.0.0.1:0', {
    context: () => {
      made++;
      return { lines: 0, name: '' };
    },
  });
  worker.onMessage = (connection, line) => {
    if (line.startsWith('name ')) connection.context.name = line.slice(5);
    connection.context.lines++;
    connection.send(`${connection.context.name}:${connection.context.lines}`);
  };
  await worker.listen();
  t.after(() => worker.stop());
  const [a, b] = await Promise.all([
    TestClient.connect(worker.port),
    TestClient.connect(worker.port),
  ]);
  t.after(() => a.destroy());
  t.after(() => b.destroy());
  a.write('name ann\n');
  assert.equal(await a.readLine(), 'ann:1');
  b.write('x\n');
  assert.equal(await b.readLine(), ':1');
  a.write('y\n');
  assert.equal(await a.readLine(), 'ann:2');
  assert.equal(made, 2);
});

test('without the context option a connection takes any property, as in PHP', async (t) => {
  const worker = new Worker('text://127.0.0.1:0');
  worker.onMessage = (connection, line) => {
    connection.context.uid ??= line;
    connection.send(String(connection.context.uid));
  };
  await worker.listen();
  t.after(() => worker.stop());
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('first\nsecond\n');
  assert.equal(await client.readLine(), 'first');
  assert.equal(await client.readLine(), 'first');
});
