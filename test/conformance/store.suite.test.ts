// Every Store driver runs the same cases, against a real backend: a private
// folder for the file store, a private redis-server and a private memcached
// (Debian's) for the others. Only what a driver documents as unsupported
// (memcached cannot list keys) differs, and the suite checks that it fails
// the documented way.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type TestContext, test } from 'node:test';
import { Redis } from 'ioredis';
import { MemcacheClient } from 'memcache-client';
import {
  createStore,
  MemcachedStore,
  RedisStore,
  type Store,
  type StoreDriver,
  type StoreLimits,
  type StoreOptions,
  storeDefaults,
} from '../../src/index.js';
import { startMemcached } from '../helpers/memcached-server.js';
import { startRedis } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

/** How to reach one driver's backend: createStore options, without limits and prefix. */
type Backend = StoreOptions;

async function startBackend(t: TestContext, driver: StoreDriver): Promise<Backend> {
  if (driver === 'redis') return { driver, url: `redis://127.0.0.1:${await startRedis(t)}` };
  if (driver === 'memcached') return { driver, server: `127.0.0.1:${await startMemcached(t)}` };
  const parent = mkdtempSync(join(tmpdir(), 'workerman-store-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  return { driver, path: join(parent, 'store') };
}

let caseNumber = 0;

/** A store of its own for one case: a fresh prefix on the shared backend; closed at the case's end. */
function openStore(t: TestContext, backend: Backend, limits: StoreLimits = {}): Store {
  const store = createStore({ ...backend, prefix: `case${++caseNumber}:`, ...limits });
  t.after(() => store.close());
  return store;
}

function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  return assert.rejects(promise, (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/**
 * Runs `count` operations of `kind` on `key` in a second process (same
 * backend and prefix) while this process runs `local()`, both released
 * together; returns the other process's results and `local()`'s.
 */
async function contend<T>(
  t: TestContext,
  options: StoreOptions,
  kind: 'increment' | 'cas',
  count: number,
  key: string,
  local: () => Promise<T[]>,
): Promise<[T[], T[]]> {
  const fixture = new URL('../fixtures/store-contender.ts', import.meta.url).pathname;
  const args = ['--import', 'tsx', fixture, JSON.stringify(options), kind, String(count), key];
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = await lines.next();
  assert.equal(ready.value, 'ready');
  child.stdin.write('go\n');
  const [theirs, ours] = await Promise.all([lines.next(), local()]);
  assert.equal(theirs.done, false, 'the second process printed its results');
  await exited;
  return [JSON.parse(theirs.value as string) as T[], ours];
}

for (const driver of ['file', 'redis', 'memcached'] as const) {
  test(`Store conformance: ${driver}`, { timeout: 300_000 }, async (t) => {
    const backend = await startBackend(t, driver);

    await t.test('get, set, overwrite, delete, missing', async (t) => {
      const store = openStore(t, backend);
      assert.equal(store.driver, driver);
      assert.equal(await store.get('missing'), undefined);
      assert.equal(await store.delete('missing'), false);
      const value = { name: 'Ünïcødé ✓', list: [1, 'two', null, true, { deep: [] }], n: -1.5 };
      await store.set('user:1', value);
      assert.deepEqual(await store.get('user:1'), value);
      await store.set('user:1', 'replaced');
      assert.equal(await store.get('user:1'), 'replaced');
      assert.equal(await store.delete('user:1'), true);
      assert.equal(await store.get('user:1'), undefined);
      assert.equal(await store.delete('user:1'), false);
      // Keys no backend takes as they are: spaces, CR LF, path parts, NUL, non-ASCII.
      const awkward = ['a b', 'x\r\nflush_all', '../../etc/passwd', 'nul\0byte', 'ключ', '#hash'];
      for (const key of awkward) await store.set(key, key);
      for (const key of awkward) assert.equal(await store.get(key), key, JSON.stringify(key));
    });

    await t.test(
      'values: what JSON holds comes back; what it cannot hold is refused',
      async (t) => {
        const store = openStore(t, backend);
        for (const value of [null, 0, false, '', [], {}, 'x'.repeat(1000)]) {
          await store.set('v', value);
          assert.deepEqual(await store.get('v'), value);
        }
        await store.set('date', new Date(0));
        assert.equal(await store.get('date'), '1970-01-01T00:00:00.000Z');
        await rejectsWith(store.set('v', undefined), 'WM_ERR_STORE_BAD_VALUE');
        await rejectsWith(
          store.set('v', () => 1),
          'WM_ERR_STORE_BAD_VALUE',
        );
        await rejectsWith(store.set('v', 10n), 'WM_ERR_STORE_BAD_VALUE');
        await rejectsWith(store.set('', 1), 'WM_ERR_INVALID_OPTION');
        assert.equal(await store.get('v'), 'x'.repeat(1000), 'a refused set changed nothing');
      },
    );

    await t.test('expiry: a 1 s value goes, longer and unlimited ones stay', async (t) => {
      const store = openStore(t, backend);
      await store.set('short', 'a', { ttlSeconds: 1 });
      await store.set('long', 'b', { ttlSeconds: 600 });
      await store.set('forever', 'c');
      await store.set('counter', 5, { ttlSeconds: 1 });
      assert.equal(await store.increment('counter'), 6);
      await until(
        async () => (await store.get('short')) === undefined,
        'the 1 s value to expire',
        10_000,
      );
      // increment kept the counter's expiry: it goes too, instead of living on.
      await until(
        async () => (await store.get('counter')) === undefined,
        'the 1 s counter to expire',
        10_000,
      );
      assert.equal(await store.get('long'), 'b');
      assert.equal(await store.get('forever'), 'c');
      if (driver !== 'memcached') assert.deepEqual(await store.keys(), ['forever', 'long']);
      for (const ttlSeconds of [0, -1, 1.5, Number.NaN]) {
        await rejectsWith(store.set('x', 1, { ttlSeconds }), 'WM_ERR_INVALID_OPTION');
      }
      // An expiry past 30 days is still a duration (memcached reads such numbers as a date).
      await store.set('month', 'm', { ttlSeconds: 40 * 24 * 3600 });
      assert.equal(await store.get('month'), 'm');
    });

    await t.test('increment: creates, adds, subtracts, refuses what is no integer', async (t) => {
      const store = openStore(t, backend);
      assert.equal(await store.increment('n'), 1);
      assert.equal(await store.increment('n', 41), 42);
      assert.equal(await store.get('n'), 42);
      assert.equal(await store.increment('n', -50), -8);
      assert.equal(await store.increment('n', 3), -5);
      assert.equal(await store.increment('fresh', -2), -2);
      await store.set('seven', 7);
      assert.equal(await store.increment('seven', 0), 7);
      for (const value of ['12', 1.5, { a: 1 }]) {
        await store.set('odd', value);
        await rejectsWith(store.increment('odd'), 'WM_ERR_STORE_BAD_VALUE');
        assert.deepEqual(await store.get('odd'), value, 'a refused increment changed nothing');
      }
      await rejectsWith(store.increment('n', 0.5), 'WM_ERR_INVALID_OPTION');
    });

    await t.test(
      'increment is atomic: 2 processes x 100 at once give 1..200, each once',
      async (t) => {
        const store = openStore(t, backend);
        const options = { ...backend, prefix: store.prefix };
        const local = () => Promise.all(Array.from({ length: 100 }, () => store.increment('hits')));
        const [theirs, ours] = await contend(t, options, 'increment', 100, 'hits', local);
        const all = [...theirs, ...ours].sort((a, b) => a - b);
        assert.deepEqual(
          all,
          Array.from({ length: 200 }, (_, index) => index + 1),
        );
        assert.equal(await store.get('hits'), 200);
      },
    );

    await t.test('compareAndSet: replaces only the expected value', async (t) => {
      const store = openStore(t, backend);
      assert.equal(await store.compareAndSet('c', 1, 'x'), false, 'no value is not 1');
      assert.equal(
        await store.compareAndSet('c', undefined, { v: 1 }),
        true,
        'created when absent',
      );
      assert.equal(await store.compareAndSet('c', undefined, { v: 2 }), false, 'present now');
      assert.equal(await store.compareAndSet('c', { v: 9 }, { v: 2 }), false);
      assert.deepEqual(await store.get('c'), { v: 1 });
      assert.equal(await store.compareAndSet('c', { v: 1 }, { v: 2 }, { ttlSeconds: 1 }), true);
      assert.deepEqual(await store.get('c'), { v: 2 });
      await until(
        async () => (await store.get('c')) === undefined,
        'the swapped value to expire',
        10_000,
      );
    });

    await t.test('compareAndSet: among 2 processes x 50 contenders exactly one wins', async (t) => {
      const store = openStore(t, backend);
      await store.set('race', 0);
      const local = () =>
        Promise.all(
          Array.from({ length: 50 }, (_, index) => store.compareAndSet('race', 0, `main-${index}`)),
        );
      const [theirs, ours] = await contend(
        t,
        { ...backend, prefix: store.prefix },
        'cas',
        50,
        'race',
        local,
      );
      const wins = [...theirs, ...ours].filter(Boolean).length;
      assert.equal(wins, 1);
      const winner = await store.get('race');
      const ourWin = ours.indexOf(true);
      if (ourWin >= 0) assert.equal(winner, `main-${ourWin}`);
      else assert.match(String(winner), /^\d+-\d+$/);
    });

    await t.test('keys by prefix, and prefixes keep stores apart', async (t) => {
      const store = openStore(t, backend);
      const other = openStore(t, backend);
      for (const key of ['user:2', 'user:10', 'user:1', 'order:1', 'us*er'])
        await store.set(key, 1);
      await other.set('user:1', 'other');
      assert.equal(await store.get('user:1'), 1);
      assert.equal(await other.get('user:1'), 'other');
      if (driver === 'memcached') {
        await rejectsWith(store.keys('user:'), 'WM_ERR_STORE_UNSUPPORTED');
        return;
      }
      assert.deepEqual(await store.keys('user:'), ['user:1', 'user:10', 'user:2']);
      assert.deepEqual(await store.keys('us*'), ['us*er'], 'glob characters are literal');
      assert.deepEqual(await store.keys(), ['order:1', 'us*er', 'user:1', 'user:10', 'user:2']);
      assert.deepEqual(await other.keys(), ['user:1']);
      assert.deepEqual(await store.keys('none:'), []);
    });

    await t.test('limits at their edge: key bytes, value bytes', async (t) => {
      const store = openStore(t, backend, { maxKeyBytes: 16, maxValueBytes: 64 });
      const key16 = 'é'.repeat(8); // 16 bytes of UTF-8
      await store.set(key16, 1);
      assert.equal(await store.get(key16), 1);
      await rejectsWith(store.set(`${key16}x`, 1), 'WM_ERR_STORE_KEY_TOO_LONG');
      await rejectsWith(store.get(`${key16}x`), 'WM_ERR_STORE_KEY_TOO_LONG');
      await rejectsWith(store.increment(`${key16}x`), 'WM_ERR_STORE_KEY_TOO_LONG');
      const at = 'v'.repeat(62); // its JSON text, with the quotes, is 64 bytes
      await store.set('value', at);
      assert.equal(await store.get('value'), at);
      await rejectsWith(store.set('value', `${at}v`), 'WM_ERR_STORE_VALUE_TOO_LARGE');
      await rejectsWith(store.compareAndSet('value', at, `${at}v`), 'WM_ERR_STORE_VALUE_TOO_LARGE');
      assert.equal(await store.get('value'), at);
    });

    await t.test(
      'default limits: 250-byte keys and 1,000,000-byte values fit the backend',
      async (t) => {
        const store = openStore(t, backend);
        const longKey = 'k'.repeat(storeDefaults.maxKeyBytes);
        await store.set(longKey, 'ok');
        assert.equal(await store.get(longKey), 'ok');
        await rejectsWith(store.set(`${longKey}k`, 'no'), 'WM_ERR_STORE_KEY_TOO_LONG');
        const big = 'b'.repeat(storeDefaults.maxValueBytes - 2);
        await store.set('big', big);
        assert.equal(await store.get('big'), big);
        await rejectsWith(store.set('big', `${big}b`), 'WM_ERR_STORE_VALUE_TOO_LARGE');
      },
    );

    await t.test('close: later calls reject, a second close is harmless', async (t) => {
      const store = openStore(t, backend);
      await store.set('k', 1);
      await store.close();
      await store.close();
      await rejectsWith(store.get('k'), 'WM_ERR_STORE_CLOSED');
      await rejectsWith(store.set('k', 2), 'WM_ERR_STORE_CLOSED');
      await rejectsWith(store.keys(), 'WM_ERR_STORE_CLOSED');
      const reopened = createStore({ ...backend, prefix: store.prefix });
      t.after(() => reopened.close());
      assert.equal(await reopened.get('k'), 1, 'what was set before close is there');
    });
  });
}

test('a client of your own: the store uses it and leaves it open at close', async (t) => {
  const redisPort = await startRedis(t);
  const memcachedPort = await startMemcached(t);
  const redis = new Redis(redisPort, '127.0.0.1');
  const memcached = new MemcacheClient({ server: `127.0.0.1:${memcachedPort}` });
  // Closed in the test, not after it: the servers stop first in the after hooks.
  const stores = [
    new RedisStore({ client: redis, prefix: 'own:' }),
    new MemcachedStore({ client: memcached, prefix: 'own:' }),
  ];
  for (const store of stores) {
    await store.set('k', { from: store.driver });
    assert.equal(await store.increment('n', 2), 2);
    await store.close();
  }
  assert.equal(await redis.get('own:k'), '{"from":"redis"}');
  assert.equal((await memcached.get<string>('own:k'))?.value, '{"from":"memcached"}');
  await redis.quit();
  memcached.shutdown();
});
