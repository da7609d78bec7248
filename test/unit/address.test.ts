import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, parseAddress } from '../../src/index.js';

test('parses scheme, transport, host and port', () => {
  assert.deepEqual(parseAddress('text://0.0.0.0:1234'), {
    scheme: 'text',
    transport: 'tcp',
    host: '0.0.0.0',
    port: 1234,
    path: '',
    resource: '',
  });
  assert.equal(parseAddress('udp://127.0.0.1:53').transport, 'udp');
  assert.equal(parseAddress('ssl://example.com:443').transport, 'ssl');
  assert.equal(parseAddress('JsonNL://127.0.0.1:1').scheme, 'JsonNL');
});

test('parses IPv6 literals in brackets and unix socket paths', () => {
  const v6 = parseAddress('tcp://[::1]:8080');
  assert.equal(v6.host, '::1');
  assert.equal(v6.port, 8080);
  const unix = parseAddress('unix:///tmp/app.sock');
  assert.equal(unix.transport, 'unix');
  assert.equal(unix.path, '/tmp/app.sock');
});

test('keeps the resource of client addresses and applies a default port', () => {
  const ws = parseAddress('ws://example.com/chat?room=1', 80);
  assert.equal(ws.port, 80);
  assert.equal(ws.resource, '/chat?room=1');
});

test('rejects malformed addresses with WM_ERR_INVALID_ADDRESS', () => {
  for (const bad of [
    'nocolon',
    'text://',
    'text://127.0.0.1',
    'text://127.0.0.1:70000',
    'unix://relative.sock',
    'text://host:12junk',
  ]) {
    assert.throws(() => parseAddress(bad), { code: ErrorCodes.INVALID_ADDRESS }, bad);
  }
});
