import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { StatusReport } from '../../../src/process/status.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

function restartDelays(log: string): number[] {
  return [
    ...log.matchAll(/worker\[crasher:\d+\] exited with status 3; restarting(?: in (\d+) ms)?/g),
  ].map((match) => Number(match[1] ?? 0));
}

test('a child that keeps crashing is restarted with a growing delay, counted each time, and the other worker is not disturbed', {
  timeout: 120_000,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const echo = new Worker('text://127.0.0.1:' + PORT);
echo.name = 'echo';
echo.onMessage = (connection, line) => { connection.send(line); };
const crasher = new Worker();
crasher.name = 'crasher';
// Ready, then dies at once: a crash loop.
crasher.onWorkerStart = () => { setTimeout(() => process.exit(3), 20); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write('before\n');
  assert.equal(await client.readLine(), 'before');
  const echoPid = (await app.status()).children.find((c) => c.worker === 'echo')?.pid;
  assert.ok(echoPid);

  const log = () => readFileSync(`${app.dir}/app.log`, 'utf8');
  await until(() => restartDelays(log()).length >= 4, '4 restarts', 60_000).catch(
    (error: Error) => {
      throw new Error(`${error.message}; the log:\n${log()}`);
    },
  );
  const delays = restartDelays(log());
  // Each quick crash doubles the delay before the next fork (capped at 10 s).
  assert.deepEqual(delays.slice(0, 4), [200, 400, 800, 1600]);

  const first = await app.status();
  const counted = first.exitStatus.crasher?.['3'] ?? 0;
  assert.ok(counted >= 4, `exits counted: ${JSON.stringify(first.exitStatus)}`);
  const later: StatusReport = await until(
    async () => {
      const report = await app.status();
      return (report.exitStatus.crasher?.['3'] ?? 0) > counted ? report : undefined;
    },
    'one more counted exit',
    60_000,
  );
  assert.deepEqual(later.exitStatus.echo, {}, 'the echo worker never exited');
  assert.equal(later.children.find((c) => c.worker === 'echo')?.pid, echoPid);
  client.write('after\n');
  assert.equal(await client.readLine(), 'after');
  assert.equal((await app.cli(['stop'])).code, 0);
});

test('a child that dies after it was ready, while another worker is still starting, is restarted', {
  timeout: 120_000,
}, async (t) => {
  const app = managedApp(t, '');
  const marker = `${app.dir}/crashed-once`;
  const { writeFileSync } = await import('node:fs');
  // The body needs the directory, known only now.
  writeFileSync(
    app.startFile,
    readFileSync(app.startFile, 'utf8').replace(
      'Worker.runAll();',
      `
import { existsSync, writeFileSync } from 'node:fs';
const marker = ${JSON.stringify(marker)};
const early = new Worker();
early.name = 'early';
// Ready at once, then dies once; its replacement stays up.
early.onWorkerStart = () => {
  if (existsSync(marker)) return;
  setTimeout(() => { writeFileSync(marker, ''); process.exit(3); }, 20);
};
const slow = new Worker();
slow.name = 'slow';
// Not ready until the early one has died: the master is still starting then.
slow.onWorkerStart = async () => {
  while (!existsSync(marker)) await new Promise((resolve) => setTimeout(resolve, 10));
};
Worker.runAll();`,
    ),
  );
  const started = await app.cli(['start', '-d']);
  assert.equal(started.code, 0, started.stderr);
  const report = await until(async () => {
    const status = await app.status();
    const early = status.children.find((c) => c.worker === 'early');
    return (status.exitStatus.early?.['3'] ?? 0) === 1 && early && early.pid > 0
      ? status
      : undefined;
  }, 'the early worker restarted');
  assert.equal(report.children.filter((c) => c.worker === 'early').length, 1);
  assert.match(
    readFileSync(`${app.dir}/app.log`, 'utf8'),
    /worker\[early:\d+\] exited with status 3; restarting/,
  );
  assert.equal((await app.cli(['stop'])).code, 0);
});
