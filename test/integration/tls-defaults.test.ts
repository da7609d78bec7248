import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { test } from 'node:test';
import { type ConnectionOptions, connect } from 'node:tls';
import { type SslContextOptions, Worker } from '../../src/index.js';
import { makeTestCert, type TestCert } from '../helpers/test-cert.js';

/** An `ssl://` echo worker with the certificate and any extra ssl options. */
async function echoOverTls(
  t: { after(fn: () => unknown): void },
  cert: TestCert,
  ssl: SslContextOptions = {},
): Promise<Worker> {
  const worker = new Worker('ssl://127.0.0.1:0', {
    ssl: { local_cert: cert.certPath, local_pk: cert.keyPath, ...ssl },
  });
  worker.onMessage = (connection, data) => {
    connection.send(data);
  };
  await worker.listen();
  t.after(() => worker.stop());
  return worker;
}

/** Completes a handshake with the given client options: the suite and version, or the error. */
async function handshake(
  port: number,
  cert: TestCert,
  options: ConnectionOptions,
): Promise<{ suite: string; version: string } | Error> {
  const socket = connect({ port, host: '127.0.0.1', ca: cert.cert, ...options });
  try {
    await once(socket, 'secureConnect');
    return { suite: socket.getCipher().name, version: socket.getProtocol() ?? '' };
  } catch (error) {
    return error as Error;
  } finally {
    socket.destroy();
  }
}

test('a socket that never sends a ClientHello is closed at handshakeTimeout; an established one stays', {
  timeout: 30_000,
}, async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const worker = await echoOverTls(t, cert, { handshakeTimeout: 300 });

  const established = connect({ port: worker.port, host: '127.0.0.1', ca: cert.cert });
  t.after(() => established.destroy());
  await once(established, 'secureConnect');

  const silent = connectTcp({ port: worker.port, host: '127.0.0.1' });
  t.after(() => silent.destroy());
  silent.on('error', () => {});
  await once(silent, 'close');

  // Connected before the silent one, so a handshake timer still running on
  // it would have fired first.
  established.write('still here');
  const [echo] = (await once(established, 'data')) as [Buffer];
  assert.equal(echo.toString(), 'still here');
});

test('the ssl transport refuses CBC suites by default and negotiates an ECDHE + AEAD one', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const worker = await echoOverTls(t, cert);

  const cbc = await handshake(worker.port, cert, {
    ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA',
    maxVersion: 'TLSv1.2',
  });
  assert.ok(cbc instanceof Error, `a CBC-only client was served with ${JSON.stringify(cbc)}`);

  const aead = await handshake(worker.port, cert, {
    ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    maxVersion: 'TLSv1.2',
  });
  assert.deepEqual(aead, { suite: 'ECDHE-ECDSA-AES256-GCM-SHA384', version: 'TLSv1.2' });

  const current = await handshake(worker.port, cert, {});
  assert.ok(!(current instanceof Error), String(current));
  assert.equal(current.version, 'TLSv1.3');
  assert.match(current.suite, /^TLS_/);
});

test('the ssl transport refuses suites without forward secrecy (static RSA key exchange)', async (t) => {
  const cert = makeTestCert('rsa');
  t.after(() => cert.remove());
  const worker = await echoOverTls(t, cert);

  const staticRsa = await handshake(worker.port, cert, {
    ciphers: 'AES128-GCM-SHA256:AES256-GCM-SHA384',
    maxVersion: 'TLSv1.2',
  });
  assert.ok(
    staticRsa instanceof Error,
    `a static-RSA client was served with ${JSON.stringify(staticRsa)}`,
  );

  const ecdhe = await handshake(worker.port, cert, {
    ciphers: 'ECDHE-RSA-CHACHA20-POLY1305',
    maxVersion: 'TLSv1.2',
  });
  assert.deepEqual(ecdhe, { suite: 'ECDHE-RSA-CHACHA20-POLY1305', version: 'TLSv1.2' });
});

test('contextOptions.ssl.ciphers replaces the default suites', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const worker = await echoOverTls(t, cert, { ciphers: 'ECDHE-ECDSA-AES128-SHA256' });

  const cbc = await handshake(worker.port, cert, {
    ciphers: 'ECDHE-ECDSA-AES128-SHA256',
    maxVersion: 'TLSv1.2',
  });
  assert.deepEqual(cbc, { suite: 'ECDHE-ECDSA-AES128-SHA256', version: 'TLSv1.2' });
});
