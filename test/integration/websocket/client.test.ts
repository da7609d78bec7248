import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { AsyncTcpConnection, closeWebSocket } from '../../../src/index.js';
import { makeTestCert } from '../../helpers/test-cert.js';

/** A `ws` echo server on a free loopback port, closed when the test ends. */
async function wsEchoServer(
  t: TestContext,
  options: ConstructorParameters<typeof WebSocketServer>[0] = {},
): Promise<WebSocketServer> {
  const server = new WebSocketServer(
    options?.server ? options : { host: '127.0.0.1', port: 0, ...options },
  );
  if (!options?.server) await once(server, 'listening');
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  t.after(() => {
    for (const client of server.clients) client.terminate();
    server.close();
  });
  return server;
}

function portOf(server: WebSocketServer): number {
  return (server.address() as { port: number }).port;
}

test('ws:// client: handshake with headers and subprotocol, masked text and binary echoed by ws', async (t) => {
  const server = await wsEchoServer(t, {
    handleProtocols: (protocols) => (protocols.has('chat') ? 'chat' : false),
  });
  const seen = new Promise<Record<string, string | string[] | undefined>>((resolve) =>
    server.once('headers', (_headers, request) => resolve(request.headers)),
  );
  const client = new AsyncTcpConnection(`ws://127.0.0.1:${portOf(server)}/room?id=7`);
  client.headers = { 'X-Token': 'abc' };
  client.websocketClientProtocol = 'superchat, chat';
  client.websocketOrigin = 'http://example.test';
  const got: (string | Buffer)[] = [];
  let protocol = '';
  const done = new Promise<void>((resolve) => {
    client.onWebSocketConnect = (connection, response) => {
      protocol = response.protocol;
      connection.send(Buffer.from([0, 1, 2, 255]));
      connection.send({ type: 'binary', data: 'as binary' });
    };
    client.onMessage = (_c, data) => {
      got.push(data);
      if (got.length === 3) resolve();
    };
  });
  client.send('queued before the handshake');
  client.connect();
  await done;
  client.close();
  const headers = await seen;
  assert.equal(headers['x-token'], 'abc');
  assert.equal(headers.origin, 'http://example.test');
  assert.equal(protocol, 'chat');
  assert.deepEqual(got, [
    'queued before the handshake',
    Buffer.from([0, 1, 2, 255]),
    Buffer.from('as binary'),
  ]);
});

test('ws:// client: permessage-deflate negotiated with ws, large messages both ways', async (t) => {
  const server = await wsEchoServer(t, { perMessageDeflate: { threshold: 0 } });
  const client = new AsyncTcpConnection(`ws://127.0.0.1:${portOf(server)}`);
  const big = 'compress me '.repeat(100_000);
  const reply = new Promise<string | Buffer>((resolve) => {
    client.onMessage = (_c, data) => resolve(data);
  });
  client.onWebSocketConnect = (connection, response) => {
    assert.match(response.header('sec-websocket-extensions') ?? '', /permessage-deflate/);
    connection.send(big);
  };
  client.connect();
  assert.equal(await reply, big);
  client.close();
});

test('ws:// client: close code and reason reach the server; the server close code reaches onWebSocketClose', async (t) => {
  const server = await wsEchoServer(t);
  const closed = new Promise<[number, string]>((resolve) =>
    server.once('connection', (socket) =>
      socket.once('close', (code, reason) => resolve([code, reason.toString()])),
    ),
  );
  const client = new AsyncTcpConnection(`ws://127.0.0.1:${portOf(server)}`);
  client.onWebSocketConnect = (connection) => closeWebSocket(connection, 4001, 'done here');
  client.connect();
  assert.deepEqual(await closed, [4001, 'done here']);

  const second = new AsyncTcpConnection(`ws://127.0.0.1:${portOf(server)}`);
  server.once('connection', (socket) => socket.close(4002, 'bye'));
  const code = new Promise<[number, string]>((resolve) => {
    second.onWebSocketClose = (_c, closeCode, reason) => resolve([closeCode, reason]);
  });
  const gone = new Promise<void>((resolve) => {
    second.onClose = () => resolve();
  });
  second.connect();
  assert.deepEqual(await code, [4002, 'bye']);
  await gone;
});

test('ws:// client: a wrong Sec-WebSocket-Accept fails the handshake with a clear error', async (t) => {
  const fake: Server = createServer((socket) => {
    socket.once('data', () => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n',
      );
    });
  });
  fake.listen(0, '127.0.0.1');
  await once(fake, 'listening');
  t.after(() => fake.close());
  const client = new AsyncTcpConnection(
    `ws://127.0.0.1:${(fake.address() as { port: number }).port}`,
  );
  let connected = false;
  client.onWebSocketConnect = () => {
    connected = true;
  };
  const failure = new Promise<string>((resolve) => {
    client.onError = (_c, _code, message) => resolve(message);
  });
  const closed = new Promise<void>((resolve) => {
    client.onClose = () => resolve();
  });
  client.connect();
  assert.match(await failure, /Sec-WebSocket-Accept/);
  await closed;
  assert.equal(connected, false);
});

test('ws:// client: reconnect runs a fresh handshake on the same object', async (t) => {
  const server = await wsEchoServer(t);
  const client = new AsyncTcpConnection(`ws://127.0.0.1:${portOf(server)}`);
  let handshakes = 0;
  const replies: string[] = [];
  const done = new Promise<void>((resolve) => {
    client.onWebSocketConnect = (connection) => {
      handshakes++;
      connection.send(`hello ${handshakes}`);
    };
    client.onMessage = (connection, data) => {
      replies.push(String(data));
      if (replies.length === 1) connection.reconnect(0);
      else resolve();
    };
  });
  client.connect();
  await done;
  client.close();
  assert.deepEqual(replies, ['hello 1', 'hello 2']);
});

test('wss:// selects TLS by itself (default port 443 when none is given)', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const https = createHttpsServer({ cert: cert.cert, key: cert.key });
  await wsEchoServer(t, { server: https });
  https.listen(0, '127.0.0.1');
  await once(https, 'listening');
  t.after(() => https.close());
  const port = (https.address() as { port: number }).port;
  const client = new AsyncTcpConnection(`wss://127.0.0.1:${port}/secure`, {
    ssl: { ca: cert.cert },
  });
  assert.equal(client.transport, 'ssl');
  assert.equal(new AsyncTcpConnection('wss://example.test/x').getRemotePort(), 443);
  assert.equal(new AsyncTcpConnection('ws://example.test/x').getRemotePort(), 80);
  const reply = new Promise<string | Buffer>((resolve) => {
    client.onMessage = (_c, data) => resolve(data);
  });
  client.onWebSocketConnect = (connection) => connection.send('over TLS');
  client.connect();
  assert.equal(await reply, 'over TLS');
  client.close();
});
