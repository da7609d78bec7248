import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSecureContext } from 'node:tls';
import {
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  defaultServerCiphers,
  tlsServerOptions,
} from '../../src/transport/tls.js';

const pem = { cert: 'CERT', key: 'KEY' };

test('listener defaults: TLS 1.2+, ECDHE + AEAD suites (TLS 1.3 ones kept), a 10 s handshake deadline', () => {
  const options = tlsServerOptions(pem);
  assert.equal(options.minVersion, 'TLSv1.2');
  assert.equal(options.handshakeTimeout, DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS);
  assert.equal(DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, 10_000);
  const suites = defaultServerCiphers().split(':');
  assert.ok(
    suites.some((suite) => suite.startsWith('TLS_')),
    'TLS 1.3 suites kept',
  );
  for (const suite of suites.filter((name) => !name.startsWith('TLS_'))) {
    assert.match(suite, /^ECDHE-(ECDSA|RSA)-/, `${suite}: forward secrecy`);
    assert.match(suite, /-GCM-|CHACHA20-POLY1305/, `${suite}: AEAD`);
  }
  // OpenSSL knows every name (an unknown one would make the list fail).
  assert.doesNotThrow(() => createSecureContext({ ciphers: defaultServerCiphers() }));
});

test('each default gives way to the option of the same name', () => {
  const options = tlsServerOptions({
    ...pem,
    ciphers: 'HIGH',
    minVersion: 'TLSv1.3',
    handshakeTimeout: 0,
  });
  assert.equal(options.ciphers, 'HIGH');
  assert.equal(options.minVersion, 'TLSv1.3');
  assert.equal(options.handshakeTimeout, 0);
  // Node refuses minVersion next to secureProtocol: no default version then.
  const legacy = tlsServerOptions({ ...pem, secureProtocol: 'TLSv1_2_method' });
  assert.equal(legacy.minVersion, undefined);
});
