import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionCache } from '../../../src/gateway/business/session-cache.js';
import { ClientTable } from '../../../src/gateway/gateway/client-table.js';
import { mergeSession } from '../../../src/gateway/gateway/session-merge.js';
import {
  decodeClientContext,
  encodeClientContext,
} from '../../../src/gateway/wire/client-context.js';
import {
  clientIdPrefix,
  decodeClientId,
  encodeClientId,
  gatewayAddress,
} from '../../../src/gateway/wire/client-id.js';
import { Command } from '../../../src/gateway/wire/commands.js';
import { encodeFrame, GatewayFrames } from '../../../src/gateway/wire/frames.js';
import type { TcpConnection } from '../../../src/index.js';

test('client ids: 20 hex for an IPv4 gateway, 44 for IPv6, and they decode to the gateway', () => {
  const id = encodeClientId(clientIdPrefix('192.168.1.20', 2900), 0xabcdef);
  assert.equal(id, 'c0a80114' + '0b54' + '00abcdef');
  assert.deepEqual(decodeClientId(id), { gateway: '192.168.1.20:2900', client: 0xabcdef });
  const v6 = encodeClientId(clientIdPrefix('fd00::1', 2000), 7);
  assert.equal(v6.length, 44);
  assert.deepEqual(decodeClientId(v6), { gateway: gatewayAddress('fd00::1', 2000), client: 7 });
  assert.equal(gatewayAddress('fd00::1', 2000), '[fd00:0000:0000:0000:0000:0000:0000:0001]:2000');
});

test('client ids the cluster never issued are refused with WM_ERR_INVALID_CLIENT_ID', () => {
  for (const bad of [
    '',
    'c0a801140b5400abcde',
    'C0A801140B5400ABCDEF',
    '../../../../etc/passwd',
    42,
    null,
    'g'.repeat(20),
  ]) {
    assert.throws(() => decodeClientId(bad), { code: 'WM_ERR_INVALID_CLIENT_ID' }, String(bad));
  }
  assert.throws(() => clientIdPrefix('gateway.local', 1), { code: 'WM_ERR_INVALID_OPTION' });
});

test('frames: encode then decode gives back every field; a lying ext length is refused', () => {
  const frame = encodeFrame(
    Command.SEND_TO_GROUP,
    5,
    0xfffffffe,
    77,
    '{"groups":["é"]}',
    Buffer.from([0, 1, 2]),
  );
  assert.equal(GatewayFrames.input(frame.subarray(0, 3), null as never), 0);
  assert.equal(GatewayFrames.input(frame, null as never), frame.length);
  const decoded = GatewayFrames.decode(frame, null as never);
  assert.equal(typeof decoded, 'object');
  const { cmd, flags, client, request, ext, body } = decoded as Exclude<typeof decoded, symbol>;
  assert.deepEqual(
    { cmd, flags, client, request, ext: ext.toString(), body: [...body] },
    {
      cmd: Command.SEND_TO_GROUP,
      flags: 5,
      client: 0xfffffffe,
      request: 77,
      ext: '{"groups":["é"]}',
      body: [0, 1, 2],
    },
  );
  const short = Buffer.alloc(18);
  short.writeUInt32BE(17, 0);
  assert.equal(GatewayFrames.input(short, null as never), -1);
  const lying = encodeFrame(Command.PING, 0, 0, 0, null, null);
  lying.writeUInt32BE(5, 14);
  assert.throws(() => GatewayFrames.decode(lying, null as never), { code: 'WM_ERR_BAD_PACKET' });
});

test('client context round-trips address, session version and session', () => {
  const ext = encodeClientContext('2001:db8::7', 65535, 0xffffffff, '{"n":"ü"}');
  assert.deepEqual(decodeClientContext(ext), {
    remoteIp: '2001:db8::7',
    remotePort: 65535,
    sessionVersion: 0xffffffff,
    sessionJson: '{"n":"ü"}',
  });
  assert.throws(() => decodeClientContext(Buffer.from([9, 1])), RangeError);
});

test('session cache: a worker sees its own writes until the gateway has applied them all', () => {
  const cache = new SessionCache();
  assert.equal(cache.current('c', 4, '{"a":1}'), '{"a":1}');
  cache.wrote('c', 4, '{"a":2}');
  cache.wrote('c', 4, '{"a":3}');
  assert.equal(cache.current('c', 4, '{"a":1}'), '{"a":3}', 'no write applied yet');
  assert.equal(cache.current('c', 5, '{"a":2}'), '{"a":3}', 'one of two applied');
  assert.equal(
    cache.current('c', 6, '{"a":3}'),
    '{"a":3}',
    'both applied: the gateway is the truth again',
  );
  assert.equal(cache.current('c', 6, '{"x":1}'), '{"x":1}');
  cache.wrote('w', 0xffffffff, '{"w":1}');
  assert.equal(cache.current('w', 0xffffffff, ''), '{"w":1}', 'versions wrap at 2^32');
  assert.equal(cache.current('w', 0, '{"w":1,"g":1}'), '{"w":1,"g":1}');
});

test('updateSession merges nested objects, replaces the rest, and keeps "__proto__" a plain key', () => {
  const merged = mergeSession(
    { a: { b: 1, c: 2 }, list: [1, 2], keep: true },
    JSON.parse('{"a":{"b":9},"list":[3],"__proto__":{"polluted":1}}'),
  );
  assert.deepEqual(
    JSON.parse(JSON.stringify(merged)),
    JSON.parse('{"a":{"b":9,"c":2},"list":[3],"keep":true,"__proto__":{"polluted":1}}'),
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(merged), null);
});

test('client numbers count up, wrap at 2^32 and skip numbers in use; indexes follow removal', () => {
  const table = new ClientTable();
  const fake = {} as TcpConnection<unknown, unknown>;
  const first = table.add(fake);
  assert.equal(first.number, 1);
  table.bindUid(first, 'u');
  table.joinGroup(first, 'g');
  table.remove(first);
  assert.equal(table.byUid.size, 0);
  assert.equal(table.byGroup.size, 0);
  // Near the end of the range: the count wraps past 0 (0 names no client).
  const wrapping = new ClientTable(0xfffffffe);
  const last = wrapping.add(fake);
  assert.equal(last.number, 0xffffffff);
  const again = new ClientTable(0xfffffffe);
  again.add(fake); // 0xffffffff
  const wrapped = again.add(fake);
  assert.equal(wrapped.number, 1);
});
