import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAlive } from '../../../src/process/pid-file.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const ECHO_APP = `
Worker.stopTimeout = 2;
const w = new Worker('text://127.0.0.1:' + PORT);
w.count = 2;
w.onMessage = (connection, line) => {
  if (line === 'slow') setTimeout(() => connection.send('done'), 300);
  else connection.send(line);
};
`;

test('signals to a daemon master: SIGUSR1 reloads, SIGUSR2 reloads gracefully, SIGHUP is ignored, SIGTERM stops', {
  timeout: 90_000,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(t, ECHO_APP);
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const pids = async () => (await app.status()).children.map((c) => c.pid);
  const log = () => readFileSync(`${app.dir}/app.log`, 'utf8');
  const replaced = (before: number[]) => async () => {
    const now = await pids();
    return now.length === 2 && now.every((pid) => !before.includes(pid));
  };

  const first = await pids();
  process.kill(master, 'SIGHUP');
  process.kill(master, 'SIGUSR1');
  await until(replaced(first), 'SIGUSR1 to replace both children');
  await until(() => log().includes('reload done'), 'the reload to finish');
  assert.match(log(), /pid:\d+ reloading\n/);

  const second = await pids();
  process.kill(master, 'SIGUSR2');
  await until(replaced(second), 'SIGUSR2 to replace both children');
  assert.match(log(), /pid:\d+ reloading gracefully\n/);
  assert.ok(isAlive(master), 'SIGHUP left the daemon running');

  const last = await pids();
  process.kill(master, 'SIGTERM');
  await until(() => !isAlive(master), 'the master to exit');
  assert.equal(existsSync(app.pidFile), false);
  for (const pid of last) assert.equal(isAlive(pid), false, `child ${pid} is gone`);
  assert.match(log(), /pid:\d+ stopping\n[\s\S]*pid:\d+ stopped\n/);
});

test('SIGQUIT stops gracefully: an open request is answered before the master exits', async (t) => {
  const port = await freePort();
  const app = managedApp(t, ECHO_APP);
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write('ping\n');
  assert.equal(await client.readLine(), 'ping');
  client.write('slow\n');
  process.kill(master, 'SIGQUIT');
  assert.equal(await client.readLine(), 'done');
  client.end();
  await until(() => !isAlive(master), 'the master to exit');
  assert.match(readFileSync(`${app.dir}/app.log`, 'utf8'), /stopping gracefully/);
});

test('SIGINT stops a daemon master at once', async (t) => {
  const port = await freePort();
  const app = managedApp(t, ECHO_APP);
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const children = (await app.status()).children.map((c) => c.pid);
  process.kill(master, 'SIGINT');
  await until(() => !isAlive(master), 'the master to exit');
  for (const pid of children) assert.equal(isAlive(pid), false);
  assert.equal(existsSync(app.pidFile), false);
});
