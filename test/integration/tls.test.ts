import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { connect } from 'node:tls';
import { AsyncTcpConnection, Worker } from '../../src/index.js';
import { makeTestCert } from '../helpers/test-cert.js';

test('a text worker over TLS answers an AsyncTcpConnection with transport ssl', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const worker = new Worker('text://127.0.0.1:0', {
    ssl: { local_cert: cert.certPath, local_pk: cert.keyPath },
  });
  worker.transport = 'ssl';
  worker.onMessage = (connection, line) => {
    connection.send(`secure:${line}`);
  };
  await worker.listen();
  t.after(() => worker.stop());

  const client = new AsyncTcpConnection(`text://127.0.0.1:${worker.port}`, {
    ssl: { ca: cert.cert },
  });
  client.transport = 'ssl';
  const replies: string[] = [];
  const done = new Promise<void>((resolve) => {
    client.onMessage = (_c, line) => {
      replies.push(line);
      if (replies.length === 2) resolve();
    };
  });
  client.send('before connect');
  client.connect();
  client.send('after connect');
  await done;
  client.close();
  assert.deepEqual(replies, ['secure:before connect', 'secure:after connect']);
});

test('an ssl:// worker exchanges raw bytes with a node:tls client; a plain client is refused', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const worker = new Worker('ssl://127.0.0.1:0', {
    ssl: { local_cert: cert.certPath, local_pk: cert.keyPath },
  });
  worker.onMessage = (connection, data) => {
    connection.send(Buffer.concat([Buffer.from('raw:'), data]));
  };
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
  socket.write('ping');
  const [reply] = (await once(socket, 'data')) as [Buffer];
  assert.equal(reply.toString(), 'raw:ping');

  const unverified = new AsyncTcpConnection(`ssl://127.0.0.1:${worker.port}`);
  const failed = new Promise<string>((resolve) => {
    unverified.onError = (_c, _code, _m, error) => resolve(error.code);
  });
  unverified.connect();
  assert.equal(await failed, 'WM_ERR_CONNECT_FAILED');
  unverified.destroy();
});

test('transport ssl without a certificate fails to listen with a clear error', async () => {
  const worker = new Worker('text://127.0.0.1:0');
  worker.transport = 'ssl';
  await assert.rejects(worker.listen(), { code: 'WM_ERR_INVALID_OPTION', message: /local_cert/ });
});
