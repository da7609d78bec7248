import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Chunk,
  Http,
  type Request,
  Response,
  ServerSentEvents,
  type TcpConnection,
} from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { eventually, listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';

// What a stopping process does (src/process/child.ts): each connection's codec winds it down.
function drainAll(connections: Iterable<TcpConnection<unknown, unknown>>): void {
  for (const connection of connections) Http.onDrain?.(connection);
}

test('draining: a request with the app, pipelined ones behind it, a half-received one and one on an idle connection are all answered, the last with Connection: close', async (t) => {
  const saved = Http.options.drainGrace;
  t.after(() => {
    Http.options.drainGrace = saved;
  });
  Http.options.drainGrace = 5;
  const held: (() => void)[] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request: Request) => {
      const answer = () => connection.send(`answer ${request.path()}`);
      if (request.path() === '/slow') held.push(answer);
      else answer();
    };
  });
  const pipelined = await TestClient.connect(worker.port);
  const half = await TestClient.connect(worker.port);
  const idle = await TestClient.connect(worker.port);
  t.after(() => {
    for (const client of [pipelined, half, idle]) client.destroy();
  });
  idle.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(idle)).header('connection'), 'keep-alive');
  pipelined.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n');
  half.write('GET /half HTTP/1.1\r\nHost: a\r\n');
  await eventually(() => held.length === 1, 'the slow request with the app');
  await eventually(
    () => [...worker.connections.values()].some((c) => c.getRecvBufferQueueSize() > 0),
    'the half head received',
  );

  drainAll(worker.connections.values());

  // The idle connection's client sends its next request: answered, then closed.
  idle.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
  const next = await readResponse(idle);
  assert.deepEqual([next.body.toString(), next.header('connection')], ['answer /next', 'close']);
  await idle.closed();

  half.write('\r\n');
  const halfAnswer = await readResponse(half);
  assert.deepEqual(
    [halfAnswer.body.toString(), halfAnswer.header('connection')],
    ['answer /half', 'close'],
  );
  await half.closed();

  (held.shift() as () => void)();
  const first = await readResponse(pipelined);
  const second = await readResponse(pipelined);
  assert.deepEqual(
    [first.body.toString(), first.header('connection')],
    ['answer /slow', 'keep-alive'],
    'a pipelined request is already here: the connection stays for it',
  );
  assert.deepEqual([second.body.toString(), second.header('connection')], ['answer /two', 'close']);
  await pipelined.closed();
  assert.equal(pipelined.buffered.length, 0);
});

test('draining: an idle keep-alive connection that sends nothing is closed after the grace, without a byte', async (t) => {
  const saved = Http.options.drainGrace;
  t.after(() => {
    Http.options.drainGrace = saved;
  });
  Http.options.drainGrace = 0.2;
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => connection.send('ok');
  });
  const used = await TestClient.connect(worker.port);
  const fresh = await TestClient.connect(worker.port);
  t.after(() => {
    used.destroy();
    fresh.destroy();
  });
  used.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  await readResponse(used);
  await eventually(() => worker.connections.size === 2, 'both connections accepted');
  drainAll(worker.connections.values());
  await Promise.all([used.closed(), fresh.closed()]);
  assert.equal(used.buffered.length, 0);
  assert.equal(fresh.buffered.length, 0);
});

test('draining: a chunked answer under way finishes, the next request gets Connection: close; an event stream closes at once', async (t) => {
  const saved = Http.options.drainGrace;
  t.after(() => {
    Http.options.drainGrace = saved;
  });
  Http.options.drainGrace = 5;
  const stream: { finish: (() => void) | null } = { finish: null };
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request: Request) => {
      if (request.path() === '/stream') {
        connection.send(new Response(200, { 'Transfer-Encoding': 'chunked' }));
        connection.send(new Chunk('part one, '));
        stream.finish = () => {
          connection.send(new Chunk('part two'));
          connection.send(new Chunk(''));
        };
      } else if (request.path() === '/events') {
        connection.send(new Response(200, { 'Content-Type': 'text/event-stream' }));
        connection.send(new ServerSentEvents({ data: 'first' }));
      } else connection.send(`answer ${request.path()}`);
    };
  });
  const streaming = await TestClient.connect(worker.port);
  const events = await TestClient.connect(worker.port);
  t.after(() => {
    streaming.destroy();
    events.destroy();
  });
  streaming.write('GET /stream HTTP/1.1\r\nHost: a\r\n\r\n');
  events.write('GET /events HTTP/1.1\r\nHost: a\r\n\r\n');
  await eventually(() => stream.finish !== null, 'the stream begun');
  await eventually(() => events.buffered.includes('data: first'), 'the first event');

  drainAll(worker.connections.values());
  await events.closed();

  stream.finish?.();
  const streamed = await readResponse(streaming);
  // Its head went out before the drain, saying keep-alive: the client may
  // reuse the connection, and its next request is answered with close.
  assert.deepEqual(
    [streamed.body.toString(), streamed.header('connection')],
    ['part one, part two', 'keep-alive'],
  );
  streaming.write('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
  const after = await readResponse(streaming);
  assert.deepEqual([after.body.toString(), after.header('connection')], ['answer /after', 'close']);
  await streaming.closed();
});

test('draining with drainGrace 0: an idle connection is closed by the drain itself, a request with the app is still answered', async (t) => {
  const saved = Http.options.drainGrace;
  t.after(() => {
    Http.options.drainGrace = saved;
  });
  Http.options.drainGrace = 0;
  const held: (() => void)[] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request: Request) => {
      const answer = () => connection.send(`answer ${request.path()}`);
      if (request.path() === '/slow') held.push(answer);
      else answer();
    };
  });
  const idle = await TestClient.connect(worker.port);
  const busy = await TestClient.connect(worker.port);
  t.after(() => {
    idle.destroy();
    busy.destroy();
  });
  idle.write('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(idle)).body.toString(), 'answer /first');
  busy.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n');
  await eventually(() => held.length === 1, 'the slow request reached the app');
  const idleServerSide = [...worker.connections.values()].find(
    (connection) => connection.getRemotePort() === idle.socket.localPort,
  );
  assert.ok(idleServerSide);
  drainAll(worker.connections.values());
  // Closing at once, not at a later sweep of the timeouts: it refuses to send.
  assert.equal(idleServerSide.send('late', true), false);
  await idle.closed();
  assert.equal(idle.buffered.length, 0);
  (held.shift() as () => void)();
  const response = await readResponse(busy);
  assert.equal(response.body.toString(), 'answer /slow');
  assert.equal(response.header('connection'), 'close');
  await busy.closed();
});
