import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAlive } from '../../../src/process/pid-file.js';
import { managedApp } from '../../helpers/managed-app.js';
import { exited } from '../../helpers/process-state.js';
import { freePort } from '../../helpers/start-file.js';
import { until } from '../../helpers/until.js';

/**
 * An app whose old child, told to stop by a reload, freezes the master
 * (SIGSTOP) in `onWorkerReload`: the child then asks the master to confirm
 * that no connection is on its way to it, and no answer can come.
 */
const appFreezingTheMaster = (stopTimeout: number) => `
import { writeFileSync } from 'node:fs';
Worker.stopTimeout = ${stopTimeout};
const mark = process.env.MARK;
const w = new Worker('text://127.0.0.1:' + PORT);
w.name = 'echo';
w.onMessage = (connection, line) => { connection.send(line); };
w.onWorkerReload = () => {
  process.kill(process.ppid, 'SIGSTOP');
  writeFileSync(mark + '.frozen', String(process.pid));
};
w.onWorkerStop = () => { writeFileSync(mark + '.stopped', String(process.pid)); };
`;

async function reloadIntoFrozenMaster(t: Parameters<typeof managedApp>[0], stopTimeout: number) {
  const port = await freePort();
  const app = managedApp(t, appFreezingTheMaster(stopTimeout));
  const mark = `${app.dir}/mark`;
  const started = await app.cli(['start', '-d'], { PORT: String(port), MARK: mark });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  t.after(() => {
    try {
      process.kill(master, 'SIGCONT');
    } catch {
      // Gone.
    }
  });
  // Not awaited: the master freezes half-way; the CLI gives up at its own timeout.
  void app.cli(['reload']);
  await until(() => existsSync(`${mark}.frozen`), 'the old child to freeze the master');
  const old = Number(readFileSync(`${mark}.frozen`, 'utf8'));
  return { master, mark, old };
}

test('a stopping child whose master dies before confirming the hand-overs exits', {
  timeout: 90_000,
}, async (t) => {
  // stopTimeout is far away: only the lost channel can end the wait in time.
  const { master, old } = await reloadIntoFrozenMaster(t, 60);
  process.kill(master, 'SIGKILL');
  // node:cluster ends a child whose master is gone; nothing of ours may hold it.
  await exited(old, 'the old child to exit');
});

test('a stopping child whose master hangs waits for the confirmation at most stopTimeout', {
  timeout: 90_000,
}, async (t) => {
  const { master, mark, old } = await reloadIntoFrozenMaster(t, 2);
  await until(() => existsSync(`${mark}.stopped`), 'onWorkerStop of the old child', 30_000);
  await exited(old, 'the old child to exit');
  assert.ok(isAlive(master), 'the master is still there, frozen');
});
