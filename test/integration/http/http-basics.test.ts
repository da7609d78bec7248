import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chunk, type Request, Response, ServerSentEvents } from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';

async function httpWorker(
  t: import('node:test').TestContext,
  onMessage: (
    connection: import('../../../src/index.js').TcpConnection<Request, unknown>,
    request: Request,
  ) => unknown,
) {
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) => onMessage(connection, request);
  });
  return { worker, port: worker.port };
}

test('fetch: a string answer; path, query, headers and cookies reach onMessage', async (t) => {
  const { port } = await httpWorker(t, (connection, request) => {
    connection.send(
      JSON.stringify({
        method: request.method(),
        path: request.path(),
        q: request.get('q'),
        ua: request.header('x-test'),
        c: request.cookie('c'),
        host: request.host(true),
        version: request.protocolVersion(),
      }),
    );
  });
  const response = await fetch(`http://127.0.0.1:${port}/a/b?q=%C3%A9`, {
    headers: { 'X-Test': 'yes', Cookie: 'c=1' },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html;charset=utf-8');
  assert.ok(response.headers.get('date'));
  assert.deepEqual(await response.json(), {
    method: 'GET',
    path: '/a/b',
    q: 'é',
    ua: 'yes',
    c: '1',
    host: '127.0.0.1',
    version: '1.1',
  });
});

test('fetch: JSON, urlencoded and multipart bodies', async (t) => {
  const { port } = await httpWorker(t, (connection, request) => {
    const file = request.file('doc');
    const doc =
      file && !Array.isArray(file) ? `${file.name}:${file.type}:${file.data.toString()}` : null;
    connection.send(JSON.stringify({ post: request.post(), doc }));
  });
  const base = `http://127.0.0.1:${port}/`;
  const json = await fetch(base, {
    method: 'POST',
    body: '{"a":[1,2]}',
    headers: { 'Content-Type': 'application/json' },
  });
  assert.deepEqual(await json.json(), { post: { a: [1, 2] }, doc: null });
  const form = await fetch(base, {
    method: 'POST',
    body: new URLSearchParams({ x: 'y z', 'l[]': '1' }),
  });
  assert.deepEqual(await form.json(), { post: { x: 'y z', l: ['1'] }, doc: null });
  const data = new FormData();
  data.append('title', 'hello');
  data.append('doc', new Blob(['file body'], { type: 'text/plain' }), 'notes.txt');
  const multipart = await fetch(base, { method: 'POST', body: data });
  assert.deepEqual(await multipart.json(), {
    post: { title: 'hello' },
    doc: 'notes.txt:text/plain:file body',
  });
});

test('pipelined requests are answered in order even when the app answers out of order', async (t) => {
  const waiting: (() => void)[] = [];
  const { port } = await httpWorker(t, (connection, request) => {
    const answer = () => connection.send(`answer ${request.path()}`);
    if (request.path() === '/slow') setTimeout(answer, 20);
    else answer();
    waiting.push(answer);
  });
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write(
    'GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /fast HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\n\r\n',
  );
  for (const path of ['/slow', '/fast', '/last']) {
    const response = await readResponse(client);
    assert.equal(response.body.toString(), `answer ${path}`);
    assert.equal(response.header('connection'), 'keep-alive');
  }
});

test('HTTP/1.0 closes unless keep-alive; Connection: close closes after the answer', async (t) => {
  const { port } = await httpWorker(t, (connection) => connection.send('ok'));
  const plain = await TestClient.connect(port);
  plain.write('GET / HTTP/1.0\r\n\r\n');
  const first = await readResponse(plain);
  assert.equal(first.header('connection'), 'close');
  await plain.closed();

  const kept = await TestClient.connect(port);
  t.after(() => kept.socket.destroy());
  kept.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  assert.equal((await readResponse(kept)).header('connection'), 'keep-alive');
  kept.write('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  const last = await readResponse(kept);
  assert.equal(last.header('connection'), 'close');
  assert.equal(last.body.toString(), 'ok');
  await kept.closed();
});

test('HEAD gets the length without a body; Expect: 100-continue gets 100 first', async (t) => {
  const { port } = await httpWorker(t, (connection, request) =>
    connection.send(`body:${request.rawBody()}`),
  );
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write('HEAD / HTTP/1.1\r\nHost: a\r\n\r\n');
  const head = await readResponse(client, true);
  assert.equal(head.header('content-length'), '5');
  client.write('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n');
  assert.equal(await client.readLine(), 'HTTP/1.1 100 Continue\r');
  assert.equal(await client.readLine(), '\r');
  client.write('abc');
  assert.equal((await readResponse(client)).body.toString(), 'body:abc');
});

test('a chunked request body is decoded, trailers dropped', async (t) => {
  const { port } = await httpWorker(t, (connection, request) => connection.send(request.rawBody()));
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write(
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n',
  );
  client.write('1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'hello world');
});

test('Response: status, multi-value headers, cookies with attributes, Buffer body', async (t) => {
  const { port } = await httpWorker(t, (connection) => {
    const response = new Response(201, { 'X-Multi': ['a', 'b'] }, Buffer.from('made'));
    response.cookie('sid', 'a b', {
      maxAge: 60,
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    response.cookie('other', '1');
    connection.send(response);
  });
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(response.status, 201);
  assert.equal(response.headers.get('x-multi'), 'a, b');
  assert.deepEqual(response.headers.getSetCookie(), [
    'sid=a%20b; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax',
    'other=1',
  ]);
  assert.equal(await response.text(), 'made');
});

test('chunked responses and server-sent events reach fetch', async (t) => {
  const { port } = await httpWorker(t, (connection, request) => {
    if (request.path() === '/chunked') {
      connection.send(new Response(200, { 'Transfer-Encoding': 'chunked' }));
      connection.send(new Chunk('part one, '));
      setTimeout(() => {
        connection.send(new Chunk('part two'));
        connection.send(new Chunk(''));
      }, 5);
      return;
    }
    connection.send(new Response(200, { 'Content-Type': 'text/event-stream' }));
    connection.send(new ServerSentEvents({ event: 'tick', id: '1', data: 'a\nb' }));
    connection.send(new ServerSentEvents({ data: 'second' }));
  });
  const chunked = await fetch(`http://127.0.0.1:${port}/chunked`);
  assert.equal(await chunked.text(), 'part one, part two');
  const events = await fetch(`http://127.0.0.1:${port}/events`);
  assert.equal(events.headers.get('content-type'), 'text/event-stream');
  const reader = events.body!.getReader();
  let text = '';
  while (!text.includes('data: second\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  assert.equal(text, 'event: tick\nid: 1\ndata: a\ndata: b\n\ndata: second\n\n');
  await reader.cancel();
});
