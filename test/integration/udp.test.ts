import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { AsyncUdpConnection, ErrorCodes, SEND_FAIL } from '../../src/index.js';
import { listenWorker } from '../helpers/listen.js';

test('a text worker over UDP decodes each packet of a datagram and replies to the sender', async (t) => {
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.transport = 'udp';
    w.onMessage = (connection, line) => {
      connection.send(`${line}@${connection.getRemotePort()}`);
    };
  });
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const replies: string[] = [];
  const got = new Promise<void>((resolve) => {
    socket.on('message', (message) => {
      replies.push(message.toString());
      if (replies.length === 2) resolve();
    });
  });
  socket.send('one\ntwo\n', worker.port, '127.0.0.1');
  await got;
  const port = socket.address().port;
  assert.deepEqual(replies, [`one@${port}\n`, `two@${port}\n`]);
});

test('a raw udp:// worker gets the datagram as bytes; AsyncUdpConnection talks to it', async (t) => {
  const worker = await listenWorker(t, 'udp://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      connection.send(Buffer.concat([Buffer.from('echo:'), data]));
    };
  });
  const client = new AsyncUdpConnection(`udp://127.0.0.1:${worker.port}`);
  const connected = new Promise<void>((resolve) => {
    client.onConnect = () => resolve();
  });
  const reply = new Promise<Buffer>((resolve) => {
    client.onMessage = (_c, data) => resolve(data);
  });
  client.send('queued before connect');
  await connected;
  assert.equal((await reply).toString(), 'echo:queued before connect');
  const closed = new Promise<void>((resolve) => {
    client.onClose = () => resolve();
  });
  client.close();
  await closed;
});

test('an incomplete packet in a datagram is reported, and the socket keeps serving', async (t) => {
  const errors: string[] = [];
  const worker = await listenWorker(t, 'frame://127.0.0.1:0', (w) => {
    w.transport = 'udp';
    w.onMessage = (connection, body) => {
      connection.send(body);
    };
    w.onError = (_c, _code, _m, error) => {
      errors.push(error.code);
    };
  });
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  socket.send(Buffer.from([0, 0, 0, 9, 1]), worker.port, '127.0.0.1');
  socket.send(Buffer.from([0, 0, 0, 6, 0x68, 0x69]), worker.port, '127.0.0.1');
  const [message] = (await once(socket, 'message')) as [Buffer];
  assert.equal(message.subarray(4).toString(), 'hi');
  assert.deepEqual(errors, [ErrorCodes.BAD_PACKET]);
});

test('a text codec on one UDP socket starts each datagram afresh: two lines stay two after an unterminated datagram', async (t) => {
  const peer = createSocket('udp4');
  t.after(() => peer.close());
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  const client = new AsyncUdpConnection(`text://127.0.0.1:${peer.address().port}`);
  t.after(() => client.close());
  const lines: string[] = [];
  let ended!: () => void;
  const gotEnd = new Promise<void>((resolve) => {
    ended = resolve;
  });
  client.onMessage = (_c, line) => {
    if (line === 'end') ended();
    else lines.push(line);
  };
  const errors: string[] = [];
  let dropped!: () => void;
  const droppedOne = new Promise<void>((resolve) => {
    dropped = resolve;
  });
  client.onError = (_c, _code, _m, error) => {
    errors.push(error.code);
    dropped();
  };
  client.send('hello');
  const [, from] = (await once(peer, 'message')) as [Buffer, { port: number }];

  // Longer than the codec's rescan threshold, with no newline: dropped.
  peer.send('x'.repeat(5000), from.port, '127.0.0.1');
  await droppedOne;
  const long = 'y'.repeat(5000);
  peer.send(`one\n${long}two\n`, from.port, '127.0.0.1');
  peer.send('end\n', from.port, '127.0.0.1');
  await gotEnd;
  assert.deepEqual(lines, ['one', `${long}two`]);
  assert.deepEqual(errors, [ErrorCodes.BAD_PACKET]);
});

test('AsyncUdpConnection queues datagrams before connecting up to maxSendBufferSize bytes, and refuses past it', async (t) => {
  const peer = createSocket('udp4');
  t.after(() => peer.close());
  await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  const received: string[] = [];
  let ended!: () => void;
  const gotEnd = new Promise<void>((resolve) => {
    ended = resolve;
  });
  peer.on('message', (message) => {
    if (message.toString() === 'end') ended();
    else received.push(message.toString());
  });

  assert.equal(AsyncUdpConnection.defaultMaxSendBufferSize, 1024 * 1024);
  const client = new AsyncUdpConnection(`udp://127.0.0.1:${peer.address().port}`);
  t.after(() => client.close());
  client.maxSendBufferSize = 10;
  const errors: { code: number; error: string }[] = [];
  client.onError = (_c, code, _m, error) => {
    errors.push({ code, error: error.code });
  };
  const connected = new Promise<void>((resolve) => {
    client.onConnect = () => resolve();
  });
  assert.equal(client.send('aaaaa'), null);
  assert.equal(client.send('b✓'), null); // 4 bytes in UTF-8: 9 queued
  assert.equal(client.send('cc'), false, 'one byte past the limit');
  assert.equal(client.send('d'), null, 'exactly at the limit');
  assert.equal(client.send('e'), false);
  assert.deepEqual(errors, [
    { code: SEND_FAIL, error: ErrorCodes.SEND_BUFFER_FULL },
    { code: SEND_FAIL, error: ErrorCodes.SEND_BUFFER_FULL },
  ]);
  await connected;
  // Connected: datagrams go straight to the socket, no queue to bound.
  assert.equal(client.send('x'.repeat(100)), true);
  client.send('end');
  await gotEnd;
  assert.deepEqual(received, ['aaaaa', 'b✓', 'd', 'x'.repeat(100)]);
});
