import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, Http, type WorkermanError } from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';

async function refusal(port: number, bytes: string): Promise<number> {
  const client = await TestClient.connect(port);
  client.write(bytes);
  const response = await readResponse(client);
  assert.equal(response.header('connection'), 'close');
  await client.closed();
  return response.status;
}

test('ambiguous framing and malformed input get 400 and a close; the app sees onError', async (t) => {
  const errors: string[] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => connection.send('should not happen');
    w.onError = (_connection, _code, _message, error: WorkermanError) => errors.push(error.code);
  });
  const cases = [
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd',
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc',
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc',
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n',
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n',
    'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
    'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'GET / HTTP/1.1\r\nHost : a\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n',
    'GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n',
    // RFC 9112 §3.2: HTTP/1.1 without Host, two Host fields, an invalid Host.
    'GET / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
    'GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a b\r\n\r\n',
  ];
  for (const bytes of cases)
    assert.equal(await refusal(worker.port, bytes), 400, JSON.stringify(bytes));
  assert.equal(errors.length, cases.length);
  assert.ok(errors.every((code) => code === ErrorCodes.BAD_PACKET));
});

test('limits at their edge: 414, 431, 413 (length and chunked), 505', async (t) => {
  const saved = { ...Http.options };
  t.after(() => Object.assign(Http.options, saved));
  Http.options.maxRequestLineBytes = 100;
  Http.options.maxHeaderBytes = 300;
  const errors: string[] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) => connection.send(`ok ${request.rawBody().length}`);
    w.onError = (_c, _n, message, error: WorkermanError) => errors.push(`${error.code} ${message}`);
    w.onConnect = (connection) => {
      connection.maxPackageSize = 400;
    };
  });
  const port = worker.port;
  const line = (n: number) => `GET /${'a'.repeat(n - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
  const ok = await TestClient.connect(port);
  t.after(() => ok.socket.destroy());
  ok.write(`${line(100)}\r\nHost: a\r\n\r\n`);
  assert.equal((await readResponse(ok)).status, 200);
  assert.equal(await refusal(port, `${line(101)}\r\nHost: a\r\n\r\n`), 414);
  const head = (n: number) =>
    `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(n - 'GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n'.length)}\r\n\r\n`;
  ok.write(head(300));
  assert.equal((await readResponse(ok)).status, 200);
  assert.equal(await refusal(port, head(301)), 431);
  // maxPackageSize bounds head + body.
  const post = (n: number) => `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${n}\r\n\r\n`;
  const fits = 400 - post(300).length;
  ok.write(post(fits) + 'b'.repeat(fits));
  assert.equal((await readResponse(ok)).body.toString(), `ok ${fits}`);
  assert.equal(await refusal(port, post(fits + 1)), 413);
  const chunked = `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${'190\r\n'}${'c'.repeat(400)}\r\n0\r\n\r\n`;
  assert.equal(await refusal(port, chunked), 413);
  assert.equal(await refusal(port, 'GET / HTTP/2.0\r\n\r\n'), 505);
  assert.ok(
    errors.some(
      (e) => e.includes('over maxPackageSize 400') && e.startsWith(ErrorCodes.PACKAGE_TOO_LARGE),
    ),
  );
  assert.ok(errors.some((e) => e.includes('maxRequestLineBytes')));
  assert.ok(errors.some((e) => e.includes('maxHeaderBytes')));
});
