import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { Chunk, type Request, Response, type TcpConnection, Worker } from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { listenWorker } from '../../helpers/listen.js';
import { makeTestCert } from '../../helpers/test-cert.js';
import { TestClient } from '../../helpers/test-client.js';

type Answer = (connection: TcpConnection<Request, unknown>, request: Request) => void;

async function halfClosingClient(t: TestContext, answer: Answer, bytes: string) {
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) => answer(connection, request);
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write(bytes);
  client.end(); // FIN: nothing more will be sent, the answers are still wanted
  return client;
}

const THREE = ['/1', '/2', '/3'].map((path) => `GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`).join('');

async function assertAllAnswered(client: TestClient, paths: string[]): Promise<void> {
  for (const [i, path] of paths.entries()) {
    const response = await readResponse(client);
    assert.equal(response.body.toString(), `answer ${path}`);
    // The last says close when the FIN was seen before it was answered.
    if (i < paths.length - 1) assert.equal(response.header('connection'), 'keep-alive', path);
  }
  await client.closed();
  assert.equal(client.buffered.length, 0);
}

for (const [how, answer] of [
  ['at once', (c, r) => c.send(`answer ${r.path()}`)],
  ['asynchronously', (c, r) => setImmediate(() => c.send(`answer ${r.path()}`))],
  [
    'some later, some at once',
    (c, r) => {
      const delay = r.path() === '/1' ? 3 : r.path() === '/2' ? 1 : 0;
      let turns = 0;
      const later = () => (turns++ < delay ? setImmediate(later) : c.send(`answer ${r.path()}`));
      later();
    },
  ],
] as [string, Answer][]) {
  test(`pipelined requests then a half-close: every request is answered (${how}), then the connection closes`, async (t) => {
    for (let round = 0; round < 5; round++) {
      const client = await halfClosingClient(t, answer, THREE);
      await assertAllAnswered(client, ['/1', '/2', '/3']);
    }
  });
}

test('one request then a half-close: a slow answer still arrives, then the connection closes', async (t) => {
  const client = await halfClosingClient(
    t,
    (c, r) => setImmediate(() => setImmediate(() => c.send(`answer ${r.path()}`))),
    'GET /slow HTTP/1.1\r\nHost: a\r\n\r\n',
  );
  await assertAllAnswered(client, ['/slow']);
});

test('a chunked answer being streamed when the client half-closes is finished, then the connection closes', async (t) => {
  let finish: () => void = () => {};
  const client = await halfClosingClient(
    t,
    (c) => {
      c.send(new Response(200, { 'Transfer-Encoding': 'chunked' }));
      c.send(new Chunk('one '));
      finish = () => {
        c.send(new Chunk('two'));
        c.send(new Chunk(''));
      };
    },
    'GET / HTTP/1.1\r\nHost: a\r\n\r\n',
  );
  // The head and first chunk are out and the FIN is on its way (whether it
  // lands before or after the last chunk, the answer is finished and closed).
  assert.match(await client.readLine(), /^HTTP\/1\.1 200/);
  finish();
  await client.closed();
  const text = client.buffered.toString('latin1');
  assert.match(text, /\r\n\r\n4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n$/);
});

test('a half-close after part of a request: nothing to answer, the connection closes', async (t) => {
  let messages = 0;
  const client = await halfClosingClient(
    t,
    () => {
      messages++;
    },
    'GET / HTTP/1.1\r\nHost: a\r\n',
  );
  await client.closed();
  assert.equal(client.buffered.length, 0);
  assert.equal(messages, 0);
});

test('a half-close after an answered request and part of the next: the answer, then the close', async (t) => {
  const client = await halfClosingClient(
    t,
    (c, r) => setImmediate(() => c.send(`answer ${r.path()}`)),
    'GET /whole HTTP/1.1\r\nHost: a\r\n\r\nGET /part',
  );
  const response = await readResponse(client);
  assert.equal(response.body.toString(), 'answer /whole');
  await client.closed();
  assert.equal(client.buffered.length, 0);
});

test('over TLS too: pipelined requests then a half-close are all answered', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const worker = new Worker('http://127.0.0.1:0', {
    ssl: { local_cert: cert.certPath, local_pk: cert.keyPath },
  });
  worker.transport = 'ssl';
  worker.onMessage = (c, r) => setImmediate(() => c.send(`answer ${r.path()}`));
  await worker.listen();
  t.after(() => worker.stop());
  const socket = connect({
    port: worker.port,
    host: '127.0.0.1',
    ca: cert.cert,
    servername: 'localhost',
  });
  t.after(() => socket.destroy());
  await once(socket, 'secureConnect');
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.end(THREE);
  await once(socket, 'close');
  assert.deepEqual(received.match(/answer \/\d/g), ['answer /1', 'answer /2', 'answer /3']);
});
