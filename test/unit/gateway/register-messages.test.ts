import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isHostPort,
  parsePeerLine,
  parseRegisterLine,
} from '../../../src/gateway/register/register-messages.js';

test('a register parses the auth answers and pings, and names what it refuses', () => {
  assert.deepEqual(
    parsePeerLine('{"event":"gateway_connect","address":"10.0.0.2:2900","proof":"ab"}'),
    {
      ok: true,
      message: { event: 'gateway_connect', address: '10.0.0.2:2900', proof: 'ab' },
    },
  );
  assert.deepEqual(parsePeerLine('{"event":"ping"}'), { ok: true, message: { event: 'ping' } });
  const refused = (line: string) => {
    const parsed = parsePeerLine(line);
    assert.equal(parsed.ok, false, line);
    return parsed.ok ? '' : parsed.reason;
  };
  assert.equal(refused('{nope'), 'malformed JSON');
  assert.equal(refused('[1]'), 'not a JSON object');
  assert.equal(refused('{"proof":"ab"}'), 'no "event" field');
  assert.equal(refused('{"event":"hello"}'), 'unknown event "hello"');
  assert.equal(refused('{"event":"__proto__"}'), 'unknown event "__proto__"');
  assert.match(refused('{"event":"gateway_connect","proof":"ab"}'), /valid "address"/);
  assert.match(
    refused('{"event":"gateway_connect","address":"10.0.0.2:70000"}'),
    /valid "address"/,
  );
});

test('a register client accepts a challenge and a list of host:port, nothing else', () => {
  assert.deepEqual(
    parseRegisterLine('{"event":"broadcast_addresses","addresses":["b:2","a:1","b:2"]}'),
    { ok: true, message: { event: 'broadcast_addresses', addresses: ['a:1', 'b:2'] } },
  );
  assert.equal(parseRegisterLine('{"event":"challenge","challenge":"00ff00ff00ff00ff"}').ok, true);
  assert.equal(parseRegisterLine('{"event":"challenge","challenge":"xyz"}').ok, false);
  assert.equal(parseRegisterLine('{"event":"broadcast_addresses","addresses":["a"]}').ok, false);
  assert.equal(parseRegisterLine('{"event":"broadcast_addresses","addresses":"a:1"}').ok, false);
  assert.equal(parseRegisterLine('{"event":"ping"}').ok, false);
});

test('host:port: IPv4, names and bracketed IPv6, ports 1..65535', () => {
  for (const good of ['127.0.0.1:2900', 'gw-1.lan:1', '[::1]:65535'])
    assert.equal(isHostPort(good), true, good);
  for (const bad of [
    '127.0.0.1',
    ':2900',
    '127.0.0.1:0',
    'a:65536',
    'a b:1',
    '::1:80',
    'a:1\n',
    5,
  ]) {
    assert.equal(isHostPort(bad), false, String(bad));
  }
});
