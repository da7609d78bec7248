import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRedisRegistryAddress } from '../../../src/gateway/registry/redis-registry-address.js';
import {
  entryIsSigned,
  parseEntries,
  signEntry,
  trustedEntries,
} from '../../../src/gateway/registry/redis-registry-entries.js';
import { ErrorCodes, openRegistry, RegisterClient } from '../../../src/index.js';

test('a redis:// registry address: host, port, db, user and password, prefix and ttl', () => {
  assert.deepEqual(parseRedisRegistryAddress('redis://10.0.0.5'), {
    host: '10.0.0.5',
    port: 6379,
    db: 0,
    username: undefined,
    password: undefined,
    prefix: 'workerman:',
    ttlMs: 10_000,
    shown: 'redis://10.0.0.5:6379/0',
  });
  const full = parseRedisRegistryAddress(
    'REDIS://app%40eu:p%3Ass%2Fw0rd@redis.internal:6380/3?prefix=chat:&ttl=2.5',
  );
  assert.equal(full.host, 'redis.internal');
  assert.equal(full.port, 6380);
  assert.equal(full.db, 3);
  assert.equal(full.username, 'app@eu');
  assert.equal(full.password, 'p:ss/w0rd');
  assert.equal(full.prefix, 'chat:');
  assert.equal(full.ttlMs, 2500);
  assert.doesNotMatch(full.shown, /p%3Ass|p:ss/, 'the password never shows');
  // A password alone (the default user), IPv6, a trailing slash, the ttl's edges.
  const legacy = parseRedisRegistryAddress('redis://:secret@[::1]:7000/?ttl=1');
  assert.equal(legacy.username, undefined);
  assert.equal(legacy.password, 'secret');
  assert.equal(legacy.host, '::1');
  assert.equal(legacy.db, 0);
  assert.equal(legacy.ttlMs, 1000);
  assert.equal(parseRedisRegistryAddress('redis://h/1?ttl=3600').ttlMs, 3_600_000);
  const longest = 'p'.repeat(100);
  assert.equal(parseRedisRegistryAddress(`redis://h?prefix=${longest}`).prefix, longest);
});

test('a bad redis:// address is WM_ERR_INVALID_ADDRESS saying what is wrong, password hidden', () => {
  const refused = (address: string, reason: RegExp) =>
    assert.throws(
      () => parseRedisRegistryAddress(address),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, ErrorCodes.INVALID_ADDRESS);
        assert.match(error.message, reason);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      },
    );
  refused('redis://', /does not parse|no host/);
  refused('redis://host:99999', /does not parse/);
  refused('redis://host:0', /port 0/);
  refused('redis://host/abc', /not a database number/);
  refused('redis://host/1/2', /not a database number/);
  refused('redis://host/-1', /not a database number/);
  refused('redis://host#x', /fragment/);
  refused('redis://host?ttl=0', /ttl must be seconds from 1 to 3600/);
  refused('redis://host?ttl=0.5', /ttl must be/);
  refused('redis://host?ttl=3601', /ttl must be/);
  refused('redis://host?ttl=', /ttl must be/);
  refused('redis://host?ttl=ten', /ttl must be/);
  refused('redis://host?prefix=', /prefix must be/);
  refused('redis://host?prefix=a%20b', /prefix must be/);
  refused(`redis://host?prefix=${'p'.repeat(101)}`, /prefix must be 1 to 100/);
  refused('redis://host?tll=5', /unknown setting "tll"/);
  refused('redis://user:hunter2@host/x', /not a database number/);
  refused('redis://u:%E0%A4%A@host', /broken %-escape/);
  refused('rediss://host', /not a redis:\/\/ URL/);
});

test('openRegistry: a RegisterClient for host:port lists, a redis:// address alone, role options checked', async () => {
  const base = { secretKey: 'k', role: 'worker' } as const;
  const builtIn = openRegistry({
    ...base,
    registerAddress: ['127.0.0.1:1236', 'text://10.0.0.2:1236'],
  });
  assert.ok(builtIn instanceof RegisterClient);
  const redis = openRegistry({ ...base, registerAddress: 'redis://127.0.0.1:6379/2' });
  assert.ok(!(redis instanceof RegisterClient));
  assert.deepEqual(redis.addresses, []);
  await Promise.all([builtIn.stop(), redis.stop()]); // never started: nothing to close
  assert.throws(
    () => openRegistry({ ...base, registerAddress: ['redis://127.0.0.1', '127.0.0.1:1236'] }),
    { code: ErrorCodes.INVALID_OPTION, message: /stands alone/ },
  );
  assert.throws(() => openRegistry({ ...base, registerAddress: 'redis://h/x' }), {
    code: ErrorCodes.INVALID_ADDRESS,
  });
  assert.throws(() => openRegistry({ ...base, role: 'gateway', registerAddress: 'redis://h' }), {
    code: ErrorCodes.INVALID_OPTION,
    message: /role gateway needs announce/,
  });
  assert.throws(
    () => openRegistry({ ...base, announce: '127.0.0.1:2000', registerAddress: 'redis://h' }),
    { code: ErrorCodes.INVALID_OPTION, message: /announce is for role gateway only/ },
  );
});

test('registry entries: signed with the secret key, checked before listing', () => {
  const signature = signEntry('key', '10.0.0.7:2000');
  assert.ok(entryIsSigned('key', '10.0.0.7:2000', signature));
  assert.ok(!entryIsSigned('other key', '10.0.0.7:2000', signature));
  assert.ok(!entryIsSigned('key', '10.0.0.8:2000', signature), 'bound to its address');
  const reply = [
    '10.0.0.7:2000',
    signature,
    9000,
    '10.0.0.9:2000',
    signature,
    9000,
    'not an address',
    signEntry('key', 'not an address'),
    1,
    42, // malformed rows are skipped
    'x',
    3,
  ];
  const { trusted, refused } = trustedEntries(parseEntries(reply), 'key');
  assert.deepEqual(trusted, [{ address: '10.0.0.7:2000', signature, msLeft: 9000 }]);
  assert.deepEqual(refused, ['10.0.0.9:2000', 'not an address']);
  assert.deepEqual(parseEntries('OK'), []);
});
