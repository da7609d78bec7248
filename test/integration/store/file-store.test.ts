// What only the file driver has: its folder, its file names, its lazy
// clean-up and its lock files. The API itself is covered for every driver
// by test/conformance/store.suite.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createStore, FileStore } from '../../../src/index.js';
import { importOptional } from '../../../src/store/optional-package.js';
import { until } from '../../helpers/until.js';

function tempParent(t: TestContext): string {
  const parent = mkdtempSync(join(tmpdir(), 'workerman-file-store-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  return parent;
}

function openStore(
  t: TestContext,
  options: ConstructorParameters<typeof FileStore>[0] = {},
): FileStore {
  const store = new FileStore({ path: join(tempParent(t), 'store'), ...options });
  t.after(() => store.close());
  return store;
}

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<void> {
  await assert.rejects(promise, (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('keys become hashed file names inside a 0700 folder: no key reaches outside it', async (t) => {
  const parent = tempParent(t);
  const store = new FileStore({ path: join(parent, 'store') });
  t.after(() => store.close());
  for (const key of ['../escape', '../../etc/passwd', '/abs/path', 'a/b', '.', 'nul\0'])
    await store.set(key, key);
  assert.deepEqual(readdirSync(parent), ['store'], 'nothing written beside the folder');
  assert.equal(statSync(join(parent, 'store')).mode & 0o777, 0o700);
  const names = readdirSync(join(parent, 'store'));
  assert.equal(names.length, 6);
  for (const name of names) assert.match(name, /^[0-9a-f]{64}\.json$/);
  assert.equal(await store.get('../escape'), '../escape');
});

test('a folder that is not ours alone is refused with WM_ERR_UNSAFE_PATH', async (t) => {
  const parent = tempParent(t);
  const open = join(parent, 'open');
  mkdirSync(open);
  chmodSync(open, 0o755);
  await rejectsWith(
    new FileStore({ path: open }).get('k'),
    'WM_ERR_UNSAFE_PATH',
    /open to group or others/,
  );
  const real = join(parent, 'real');
  mkdirSync(real, { mode: 0o700 });
  symlinkSync(real, join(parent, 'link'));
  await rejectsWith(
    new FileStore({ path: join(parent, 'link') }).set('k', 1),
    'WM_ERR_UNSAFE_PATH',
    /symbolic link/,
  );
  assert.deepEqual(readdirSync(real), [], 'nothing written through the link');
});

test('expired values are deleted when read, by sweep(), and stale temporary files too', async (t) => {
  const store = openStore(t);
  await store.set('read-me', 1, { ttlSeconds: 1 });
  await store.set('never-read', 2, { ttlSeconds: 1 });
  await store.set('stays', 3);
  const leftover = join(store.path, `${'0'.repeat(64)}.123.abc.tmp`);
  writeFileSync(leftover, 'half a write');
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(leftover, past, past);
  const fresh = join(store.path, `${'1'.repeat(64)}.456.def.tmp`);
  writeFileSync(fresh, 'a write in progress');

  assert.equal(readdirSync(store.path).filter((name) => name.endsWith('.json')).length, 3);
  await until(
    async () => (await store.get('read-me')) === undefined,
    'the value to expire',
    10_000,
  );
  assert.equal(
    readdirSync(store.path).filter((name) => name.endsWith('.json')).length,
    2,
    'read: deleted',
  );
  assert.equal(await store.sweep(), 1, 'the value never read');
  assert.deepEqual(await store.keys(), ['stays']);
  const left = readdirSync(store.path);
  assert.equal(left.filter((name) => name.endsWith('.json')).length, 1);
  assert.ok(!left.includes(`${'0'.repeat(64)}.123.abc.tmp`), 'an old temporary file is gone');
  assert.ok(left.includes(`${'1'.repeat(64)}.456.def.tmp`), 'a recent one is left to its writer');
});

/** The lock file of `key` in `store`, as the store names it. */
async function lockOf(store: FileStore, key: string): Promise<string> {
  await store.set(key, 0);
  const [name] = readdirSync(store.path).filter((entry) => entry.endsWith('.json'));
  return join(store.path, (name as string).replace(/\.json$/, '.lock'));
}

test('a lock left by a process that died is broken at once', async (t) => {
  const store = openStore(t);
  const lock = await lockOf(store, 'k');
  const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
  writeFileSync(lock, `${dead} token-of-the-dead`);
  assert.equal(await store.increment('k'), 1);
  assert.deepEqual(
    readdirSync(store.path).filter((name) => !name.endsWith('.json')),
    [],
    'no lock file left',
  );
});

test('a lock a live process holds makes a writer wait until lockTimeoutMs: WM_ERR_TIMEOUT; once older than lockStaleMs it is broken', async (t) => {
  const store = openStore(t, { lockTimeoutMs: 300, lockStaleMs: 60_000 });
  const lock = await lockOf(store, 'k');
  writeFileSync(lock, `${process.pid} held-elsewhere`); // alive: this very process
  await rejectsWith(store.set('k', 1), 'WM_ERR_TIMEOUT', /lockTimeoutMs/);
  assert.equal(await store.get('k'), 0, 'reads take no lock');
  const past = new Date(Date.now() - 120_000);
  utimesSync(lock, past, past);
  await store.set('k', 2);
  assert.equal(await store.get('k'), 2);
});

test('createStore: file by default; an unknown driver is WM_ERR_INVALID_OPTION; limits are checked', async (t) => {
  const path = join(tempParent(t), 'store');
  const store = createStore({ path });
  t.after(() => store.close());
  assert.ok(store instanceof FileStore);
  assert.equal(store.driver, 'file');
  assert.throws(() => createStore({ driver: 'mongo' } as never), { code: 'WM_ERR_INVALID_OPTION' });
  assert.throws(() => createStore({ path, maxKeyBytes: 0 }), { code: 'WM_ERR_INVALID_OPTION' });
  assert.throws(() => createStore({ path, maxValueBytes: 1.5 }), { code: 'WM_ERR_INVALID_OPTION' });
});

test('a client package that is not installed is WM_ERR_MISSING_PACKAGE, naming the install command', async () => {
  await rejectsWith(
    importOptional('workerman-ts-no-such-package', 'The test store'),
    'WM_ERR_MISSING_PACKAGE',
    /npm install workerman-ts-no-such-package/,
  );
});
