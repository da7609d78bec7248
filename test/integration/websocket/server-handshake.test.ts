import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TcpConnection, Websocket, webSocketDefaults } from '../../../src/index.js';
import { eventually, listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';
import { clientFrame, RawWebSocketClient } from '../../helpers/ws-raw-client.js';

const UPGRADE = [
  'Host: 127.0.0.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
];

/** Sends a raw request head and resolves with the status line of the answer. */
async function statusFor(port: number, requestLine: string, headers: string[]): Promise<string> {
  const client = await TestClient.connect(port);
  client.write(`${requestLine}\r\n${headers.join('\r\n')}\r\n\r\n`);
  const answer = (await client.closed().then(() => client.buffered)).toString('latin1');
  client.destroy();
  return answer;
}

test('the RFC 6455 §1.3 example key gets the example accept value', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0');
  const client = await TestClient.connect(worker.port);
  client.write(`GET /chat HTTP/1.1\r\n${UPGRADE.join('\r\n')}\r\n\r\n`);
  let head = '';
  while (!head.endsWith('\r\n\r\n')) head += (await client.readBytes(1)).toString('latin1');
  client.destroy();
  assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
  assert.match(head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
  assert.match(head, /\r\nUpgrade: websocket\r\n/i);
  assert.match(head, /\r\nConnection: Upgrade\r\n/i);
});

test('handshake errors get a clear HTTP answer: 405, 400, 426 with the version we speak', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0');
  const without = (name: string) => UPGRADE.filter((line) => !line.startsWith(name));
  const cases: [string, string[], RegExp][] = [
    ['POST / HTTP/1.1', UPGRADE, /^HTTP\/1\.1 405 /],
    ['GET / HTTP/1.0', UPGRADE, /^HTTP\/1\.1 400 [\s\S]*HTTP\/1\.1/],
    ['GET / HTTP/1.1', without('Upgrade'), /^HTTP\/1\.1 426 /],
    ['GET / HTTP/1.1', without('Connection'), /^HTTP\/1\.1 400 [\s\S]*Connection/],
    ['GET / HTTP/1.1', without('Host'), /^HTTP\/1\.1 400 [\s\S]*Host/],
    ['GET / HTTP/1.1', without('Sec-WebSocket-Key'), /^HTTP\/1\.1 400 [\s\S]*Sec-WebSocket-Key/],
    [
      'GET / HTTP/1.1',
      [...without('Sec-WebSocket-Key'), 'Sec-WebSocket-Key: c2hvcnQ='],
      /^HTTP\/1\.1 400 [\s\S]*16 bytes/,
    ],
    [
      'GET / HTTP/1.1',
      [...without('Sec-WebSocket-Version'), 'Sec-WebSocket-Version: 8'],
      /^HTTP\/1\.1 426 [\s\S]*Sec-WebSocket-Version: 13\r\n/,
    ],
  ];
  for (const [line, headers, expected] of cases) {
    assert.match(
      await statusFor(worker.port, line, headers),
      expected,
      `${line} ${headers.join('|')}`,
    );
  }
});

test('onWebSocketConnect reads the request, picks a subprotocol, adds headers; onWebSocketConnected follows', async (t) => {
  const order: string[] = [];
  let seen: Record<string, unknown> = {};
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = (connection, request) => {
      order.push('connect');
      seen = {
        path: request.path(),
        id: request.get('id'),
        token: request.header('x-token'),
        sid: request.cookie('sid'),
      };
      connection.headers = ['Sec-WebSocket-Protocol: chat', 'X-Server: workerman-ts'];
      connection.send('sent during the handshake');
    };
    w.onWebSocketConnected = (connection) => {
      order.push('connected');
      connection.send('connected');
    };
  });
  const { ws, head } = await RawWebSocketClient.open(worker.port, '/room/1?id=42', [
    'X-Token: secret',
    'Cookie: a=1; sid=s3',
    'Sec-WebSocket-Protocol: superchat, chat',
  ]);
  t.after(() => ws.destroy());
  assert.match(head, /\r\nSec-WebSocket-Protocol: chat\r\n/);
  assert.match(head, /\r\nX-Server: workerman-ts\r\n/);
  assert.deepEqual(seen, { path: '/room/1', id: '42', token: 'secret', sid: 's3' });
  assert.equal((await ws.readFrame()).payload.toString(), 'sent during the handshake');
  assert.equal((await ws.readFrame()).payload.toString(), 'connected');
  assert.deepEqual(order, ['connect', 'connected']);
});

test('onWebSocketConnect rejects: close() answers 403, a raw answer is sent as given', async (t) => {
  let connected = 0;
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = (connection, request) => {
      if (request.path() === '/raw') {
        connection.close('HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope', true);
      } else {
        connection.close();
      }
    };
    w.onWebSocketConnected = () => {
      connected++;
    };
  });
  const plain = await statusFor(worker.port, 'GET / HTTP/1.1', UPGRADE);
  assert.match(plain, /^HTTP\/1\.1 403 /);
  const raw = await statusFor(worker.port, 'GET /raw HTTP/1.1', UPGRADE);
  assert.equal(raw, 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope');
  assert.equal(connected, 0);
});

test('an async onWebSocketConnect is awaited; frames sent meanwhile wait for it', async (t) => {
  let release: (() => void) | null = null;
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = () =>
      new Promise<void>((resolve) => {
        release = resolve;
      });
    w.onMessage = (connection, data) => {
      connection.send(`echo ${data}`);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  const { clientFrame } = await import('../../helpers/ws-raw-client.js');
  client.write(
    Buffer.concat([
      Buffer.from(`GET / HTTP/1.1\r\n${UPGRADE.join('\r\n')}\r\n\r\n`),
      clientFrame(1, 'early'),
    ]),
  );
  await eventually(() => release !== null, 'onWebSocketConnect');
  (release as unknown as () => void)();
  let head = '';
  while (!head.endsWith('\r\n\r\n')) head += (await client.readBytes(1)).toString('latin1');
  assert.match(head, /^HTTP\/1\.1 101/);
  const frame = await client.readBytes(2 + 'echo early'.length);
  assert.equal(frame.subarray(2).toString(), 'echo early');
});

test('connection-level hooks win over the worker ones', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.onWebSocketConnect = (c) => {
        c.send('from the connection hook');
      };
    };
    w.onWebSocketConnect = (c) => {
      c.send('from the worker hook');
    };
  });
  const { ws } = await RawWebSocketClient.open(worker.port);
  t.after(() => ws.destroy());
  assert.equal((await ws.readFrame()).payload.toString(), 'from the connection hook');
  assert.ok([...worker.connections.values()][0] instanceof TcpConnection);
});

test('WebSocket connections default to webSocketDefaults.maxPackageSize; an app setting wins', async (t) => {
  const limits: number[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      limits.push(connection.maxPackageSize);
      if (limits.length === 2) connection.maxPackageSize = 1234;
    };
    w.onWebSocketConnected = (connection) => {
      connection.send(String(connection.maxPackageSize));
    };
  });
  for (const expected of [String(webSocketDefaults.maxPackageSize), '1234']) {
    const { ws } = await RawWebSocketClient.open(worker.port);
    t.after(() => ws.destroy());
    assert.equal((await ws.readFrame()).payload.toString(), expected);
  }
  assert.equal(webSocketDefaults.maxPackageSize, 32 * 1024 * 1024);
  assert.deepEqual(limits, [webSocketDefaults.maxPackageSize, webSocketDefaults.maxPackageSize]);
});

test('each connection keeps its own message limit when connections with other limits open around it', async (t) => {
  // Connections with the same settings share their frame parser's options:
  // a limit set on one must not leak to the next, nor the next's to it.
  const limits = [2000, 1000, 2000];
  let opened = 0;
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxPackageSize = limits[opened++] as number;
    };
    w.onMessage = (connection, data) => {
      connection.send(String(data.length));
    };
  });
  const clients = [];
  for (let i = 0; i < limits.length; i++) {
    const { ws } = await RawWebSocketClient.open(worker.port);
    t.after(() => ws.destroy());
    clients.push(ws);
  }
  const [first, second, third] = clients as [
    RawWebSocketClient,
    RawWebSocketClient,
    RawWebSocketClient,
  ];
  for (const ws of [first, third]) {
    ws.send(clientFrame(0x2, Buffer.alloc(1500)));
    assert.equal((await ws.readFrame()).payload.toString(), '1500');
  }
  second.send(clientFrame(0x2, Buffer.alloc(1500)));
  assert.equal(await second.readClose(), 1009);
});

test('a changed TcpConnection.defaultMaxPackageSize applies to WebSocket connections: lowered, it is never raised to 32 MiB', async (t) => {
  const shipped = TcpConnection.defaultMaxPackageSize;
  t.after(() => {
    TcpConnection.defaultMaxPackageSize = shipped;
  });
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onWebSocketConnected = (connection) => {
      connection.send(String(connection.maxPackageSize));
    };
  });
  for (const generic of [64 * 1024, 64 * 1024 * 1024]) {
    TcpConnection.defaultMaxPackageSize = generic;
    const { ws } = await RawWebSocketClient.open(worker.port);
    t.after(() => ws.destroy());
    assert.equal((await ws.readFrame()).payload.toString(), String(generic));
  }
  // The lowered limit holds on the wire: a frame one byte over it is refused (1009).
  TcpConnection.defaultMaxPackageSize = 64 * 1024;
  const { ws } = await RawWebSocketClient.open(worker.port);
  t.after(() => ws.destroy());
  await ws.readFrame();
  // 8 header bytes (16-bit length, mask key) + payload: one byte over 64 KiB; the header alone is refused.
  ws.send(clientFrame(0x2, Buffer.alloc(64 * 1024 - 7)).subarray(0, 8));
  assert.equal(await ws.readClose(), 1009);
});

test('handshakeTimeout: half a request head is cut, a pending onWebSocketConnect gets the client a 503, a finished handshake is left alone', {
  timeout: 60_000,
}, async (t) => {
  const saved = Websocket.options.handshakeTimeout;
  Websocket.options.handshakeTimeout = 0.2;
  t.after(() => {
    Websocket.options.handshakeTimeout = saved;
  });
  const errors: string[] = [];
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = (_connection, request) => {
      // The app's check never settles for this path.
      if (request.path() === '/stuck') return new Promise<void>(() => {});
      return undefined;
    };
    w.onMessage = (connection, data) => {
      connection.send(data);
    };
    w.onError = (_connection, _code, message, error) => {
      errors.push(`${error.code} ${message}`);
    };
  });
  const open = await RawWebSocketClient.open(worker.port);
  t.after(() => open.ws.destroy());

  const half = await TestClient.connect(worker.port);
  t.after(() => half.destroy());
  half.write(`GET / HTTP/1.1\r\n${UPGRADE[0]}\r\n`);
  await half.closed();
  assert.equal(half.buffered.length, 0);

  const stuck = await TestClient.connect(worker.port);
  t.after(() => stuck.destroy());
  stuck.write(`GET /stuck HTTP/1.1\r\n${UPGRADE.join('\r\n')}\r\n\r\n`);
  await stuck.closed();
  assert.match(stuck.buffered.toString('latin1'), /^HTTP\/1\.1 503 Service Unavailable\r\n/);

  // Both timed out after the first client's handshake: its deadline was dropped at the 101.
  open.ws.send(clientFrame(0x1, 'still here'));
  assert.equal((await open.ws.readFrame()).payload.toString(), 'still here');
  assert.equal(errors.length, 2);
  assert.match(
    errors[0] ?? '',
    /^WM_ERR_TIMEOUT no complete WebSocket upgrade request on connection \d+ .* within handshakeTimeout 0\.2 s$/,
  );
  assert.match(
    errors[1] ?? '',
    /^WM_ERR_TIMEOUT onWebSocketConnect did not settle on connection \d+ .* within handshakeTimeout 0\.2 s$/,
  );
});
