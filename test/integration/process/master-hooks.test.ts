import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAlive } from '../../../src/process/pid-file.js';
import { managedApp } from '../../helpers/managed-app.js';
import { until } from '../../helpers/until.js';

// Each hook fails on every call, in turn synchronously and asynchronously.
const FAILING_HOOKS = `
Worker.stopTimeout = 1;
const calls = {};
const fail = (name) => {
  const call = (calls[name] = (calls[name] ?? 0) + 1);
  if (call % 2 === 1) throw new Error(name + ' threw, call ' + call);
  return Promise.reject(new Error(name + ' rejected, call ' + call));
};
Worker.onMasterReload = () => fail('onMasterReload');
Worker.onWorkerExit = () => fail('onWorkerExit');
const w = new Worker();
w.name = 'plain';
`;

test('onMasterReload and onWorkerExit that throw or reject are logged; the master reloads and restarts as usual', {
  timeout: 120_000,
}, async (t) => {
  const app = managedApp(t, FAILING_HOOKS);
  const started = await app.cli(['start', '-d']);
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const log = () => readFileSync(`${app.dir}/app.log`, 'utf8');
  const pid = async () => (await app.status()).children[0]?.pid ?? 0;

  // SIGUSR1 (throws), then the CLI (rejects): the signal path is where a
  // rejection went unhandled.
  for (const [how, reload] of [
    ['SIGUSR1', () => process.kill(master, 'SIGUSR1')],
    ['reload', async () => assert.equal((await app.cli(['reload'])).code, 0)],
  ] as const) {
    const before = await pid();
    await reload();
    await until(async () => {
      assert.ok(isAlive(master), `the master died at ${how}; log:\n${log()}`);
      const now = await pid();
      return now !== 0 && now !== before;
    }, `${how} to replace the child`);
  }
  // Two child crashes: onWorkerExit throws, then rejects.
  for (let crash = 0; crash < 2; crash++) {
    const victim = await pid();
    process.kill(victim, 'SIGKILL');
    await until(async () => {
      assert.ok(isAlive(master), `the master died at a crash; log:\n${log()}`);
      const now = await pid();
      return now !== 0 && now !== victim;
    }, 'the crashed child to be restarted');
  }
  const text = log();
  assert.match(text, /onMasterReload failed: Error: onMasterReload threw, call \d/);
  assert.match(text, /onMasterReload failed: Error: onMasterReload rejected, call \d/);
  assert.match(text, /onWorkerExit failed: Error: onWorkerExit threw, call \d/);
  assert.match(text, /onWorkerExit failed: Error: onWorkerExit rejected, call \d/);
  assert.equal((text.match(/reload done: 1 process\(es\) replaced/g) ?? []).length, 2, text);
  assert.equal((await app.cli(['stop'])).code, 0);
});

for (const [how, hook] of [
  ['throws', `() => { throw new Error('onMasterStop broke'); }`],
  ['rejects', `async () => { throw new Error('onMasterStop broke'); }`],
  ['never settles', '() => new Promise(() => {})'],
] as const) {
  test(`an onMasterStop that ${how} is logged, and the master still cleans up and exits`, {
    timeout: 60_000,
  }, async (t) => {
    const app = managedApp(
      t,
      `Worker.stopTimeout = 1;\nWorker.onMasterStop = ${hook};\nconst w = new Worker();\n`,
    );
    const started = await app.cli(['start', '-d']);
    assert.equal(started.code, 0, started.stderr);
    const master = app.masterPid();
    assert.equal((await app.cli(['stop'])).code, 0);
    await until(() => !isAlive(master), 'the master to exit');
    const log = readFileSync(`${app.dir}/app.log`, 'utf8');
    assert.match(
      log,
      how === 'never settles'
        ? /onMasterStop did not finish within 1 s/
        : /onMasterStop failed: Error: onMasterStop broke/,
    );
    assert.match(log, /pid:\d+ stopped$/m);
    assert.equal(existsSync(app.pidFile), false);
  });
}
