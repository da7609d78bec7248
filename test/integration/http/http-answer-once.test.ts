import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import {
  Chunk,
  ErrorCodes,
  type Request,
  Response,
  SEND_FAIL,
  ServerSentEvents,
  type TcpConnection,
  type WorkermanError,
} from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';

type HttpConnection = TcpConnection<Request, unknown>;

/** A worker whose onError records `[numeric code, string code, message]`. */
async function recordingWorker(
  t: TestContext,
  onMessage: (connection: HttpConnection, request: Request) => unknown,
) {
  const errors: [number, string, string][] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) => onMessage(connection, request);
    w.onError = (_connection, code, message, error: WorkermanError) => {
      errors.push([code, error.code, message]);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  return { errors, client };
}

function assertRefusals(errors: [number, string, string][], count: number): void {
  assert.equal(errors.length, count, JSON.stringify(errors));
  for (const [code, stringCode, message] of errors) {
    assert.equal(code, SEND_FAIL);
    assert.equal(stringCode, ErrorCodes.NO_REQUEST_TO_ANSWER);
    assert.match(message, /send dropped on connection \d+/);
  }
}

test('a second send and a late async send are dropped and reported: the next request gets its own answer', async (t) => {
  let lateSent: (result: boolean | null) => void = () => {};
  const late = new Promise<boolean | null>((resolve) => {
    lateSent = resolve;
  });
  const { errors, client } = await recordingWorker(t, (connection, request) => {
    switch (request.path()) {
      case '/twice':
        connection.send('first');
        connection.send('second');
        connection.send(new Response(500, {}, 'third'));
        return;
      case '/late':
        connection.send('quick');
        // After the answer has gone out and before the next request arrives.
        setImmediate(() => lateSent(connection.send('late')));
        return;
      default:
        connection.send(`answer ${request.path()}`);
    }
  });
  client.write('GET /twice HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'first');
  client.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'answer /next');
  assertRefusals(errors, 2);

  client.write('GET /late HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'quick');
  assert.equal(await late, null, 'nothing was written');
  client.write('GET /after HTTP/1.1\r\nHost: a\r\n\r\n');
  const after = await readResponse(client);
  assert.equal(after.status, 200);
  assert.equal(after.body.toString(), 'answer /after');
  assert.equal(client.buffered.length, 0, 'no extra bytes on the connection');
  assertRefusals(errors, 3);
});

test('a Chunk with no chunked response open, or after the last chunk, and events with no event stream are dropped', async (t) => {
  const { errors, client } = await recordingWorker(t, (connection, request) => {
    if (request.path() === '/chunks') {
      connection.send(new Response(200, { 'Transfer-Encoding': 'chunked' }));
      connection.send(new Chunk('one'));
      connection.send(new Chunk(''));
      connection.send(new Chunk('after the end'));
      connection.send(new Chunk(''));
      return;
    }
    if (request.path() === '/early') {
      connection.send(new Chunk('no response yet'));
      connection.send(new ServerSentEvents({ data: 'no stream' }));
      connection.send('early answer');
      return;
    }
    connection.send(`answer ${request.path()}`);
  });
  client.write('GET /chunks HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'one');
  client.write('GET /early HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'early answer');
  client.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'answer /next');
  assert.equal(client.buffered.length, 0);
  assertRefusals(errors, 4);
});

test('a second Response while a streamed answer is open is dropped; the stream goes on', async (t) => {
  const { errors, client } = await recordingWorker(t, (connection) => {
    connection.send(new Response(200, { 'Transfer-Encoding': 'chunked' }));
    connection.send(new Chunk('a'));
    connection.send(new Response(404, {}, 'not here'));
    connection.send(new Chunk('b'));
    connection.send(new Chunk(''));
  });
  client.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const response = await readResponse(client);
  assert.equal(response.status, 200);
  assert.equal(response.body.toString(), 'ab');
  assertRefusals(errors, 1);
});

test('HEAD of a chunked answer: the head only, the chunks dropped without error, the last one ends it', async (t) => {
  const { errors, client } = await recordingWorker(t, (connection, request) => {
    if (request.path() === '/stream') {
      connection.send(new Response(200, { 'Transfer-Encoding': 'chunked' }));
      connection.send(new Chunk('body bytes'));
      connection.send('raw body bytes');
      connection.send(new Chunk(''));
      return;
    }
    connection.send(`answer ${request.path()}`);
  });
  client.write('HEAD /stream HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n');
  const head = await readResponse(client, true);
  assert.equal(head.status, 200);
  assert.equal(head.header('transfer-encoding'), 'chunked');
  const next = await readResponse(client);
  assert.equal(next.status, 200, 'the next answer follows the head directly');
  assert.equal(next.body.toString(), 'answer /next');
  assert.equal(errors.length, 0);
});

test('HTTP/1.0 never gets chunked: the chunks go bare, Connection: close, and the close ends the body (RFC 9112 §6.1)', async (t) => {
  const { errors, client } = await recordingWorker(t, (connection) => {
    connection.send(
      new Response(200, { 'Transfer-Encoding': 'chunked', Connection: 'keep-alive' }),
    );
    connection.send(new Chunk('part one, '));
    setImmediate(() => {
      connection.send(new Chunk('part two'));
      connection.send(new Chunk(''));
    });
  });
  const port = client.socket.remotePort!;
  client.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  await client.closed();
  const text = client.buffered.toString('latin1');
  const [head = '', body] = text.split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(head, /transfer-encoding/i);
  assert.doesNotMatch(head, /content-length/i);
  assert.equal(head.match(/^connection:.*$/gim)?.join('|'), 'Connection: close');
  assert.equal(body, 'part one, part two');
  assert.equal(errors.length, 0);

  // An HTTP/1.1 client still gets chunks.
  const modern = await TestClient.connect(port);
  t.after(() => modern.destroy());
  modern.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const chunked = await readResponse(modern);
  assert.equal(chunked.header('transfer-encoding'), 'chunked');
  assert.equal(chunked.body.toString(), 'part one, part two');
});
