import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ConnectionRow } from '../../../src/process/ipc.js';
import type { StatusReport } from '../../../src/process/status.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const ECHO_APP = `
const echo = new Worker('text://127.0.0.1:' + PORT);
echo.name = 'echo';
echo.count = 2;
echo.onMessage = (connection, line) => { connection.send(echo.id + ':' + line); };
`;

function live(report: StatusReport) {
  return report.children.flatMap((child) => (child.busy ? [] : [child]));
}

test('start -d, status and connections count real traffic, kill -9 restarts with the same id, stop', async (t) => {
  const port = await freePort();
  const app = managedApp(t, ECHO_APP);
  const env = { PORT: String(port) };

  const started = await app.cli(['start', '-d'], env);
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /started as a daemon/);
  const masterPid = app.masterPid();
  assert.ok(masterPid > 0);

  const again = await app.cli(['start', '-d'], env);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /already running/);

  const before = await app.status();
  assert.equal(before.masterPid, masterPid);
  assert.equal(before.processes, 2);
  assert.deepEqual(
    live(before)
      .map((c) => c.id)
      .sort(),
    [0, 1],
  );

  // Three open connections and five requests, spread however the master likes.
  const clients = await Promise.all([0, 1, 2].map(() => TestClient.connect(port)));
  t.after(() => {
    for (const client of clients) client.socket.destroy();
  });
  const replies: string[] = [];
  for (const [i, client] of [0, 1, 2, 0, 1].map((n, i) => [i, clients[n] as TestClient] as const)) {
    client.write(`m${i}\n`);
    replies.push(await client.readLine());
  }
  assert.deepEqual(
    replies.map((r) => r.replace(/^\d:/, '')),
    ['m0', 'm1', 'm2', 'm3', 'm4'],
  );
  const busy = live(await app.status());
  assert.equal(
    busy.reduce((sum, c) => sum + c.connections, 0),
    3,
  );
  assert.equal(
    busy.reduce((sum, c) => sum + c.totalRequest, 0),
    5,
  );

  const listed = await app.cli(['connections', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout) as ConnectionRow[];
  assert.equal(rows.length, 3);
  const localPorts = new Set(clients.map((c) => `127.0.0.1:${c.socket.localPort}`));
  for (const row of rows) {
    assert.equal(row.worker, 'echo');
    assert.equal(row.protocol, 'text');
    assert.equal(row.transport, 'tcp');
    assert.equal(row.ipv4, true);
    assert.equal(row.local, `127.0.0.1:${port}`);
    assert.ok(localPorts.has(row.remote), `${row.remote} is one of ours`);
    assert.ok(row.bytesRead >= 3 && row.bytesWritten >= 5);
  }
  const table = await app.cli(['status']);
  assert.match(table.stdout, /GLOBAL STATUS/);
  assert.match(table.stdout, /PROCESS STATUS/);

  // kill -9 the child with id 0: a new pid takes id 0, exit counted once.
  const victim = busy.find((c) => c.id === 0);
  assert.ok(victim);
  process.kill(victim.pid, 'SIGKILL');
  const after = await until(async () => {
    const report = await app.status();
    const zero = live(report).find((c) => c.id === 0);
    return zero && zero.pid !== victim.pid ? report : undefined;
  }, 'a replacement for id 0');
  assert.deepEqual(after.exitStatus, { echo: { SIGKILL: 1 } });
  assert.deepEqual(
    live(after)
      .map((c) => c.id)
      .sort(),
    [0, 1],
  );
  assert.ok(readFileSync(`${app.dir}/app.log`, 'utf8').includes('SIGKILL; restarting'));

  const stopped = await app.cli(['stop']);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /stop success/);
  assert.equal(existsSync(app.pidFile), false);
  for (const child of after.children) assert.throws(() => process.kill(child.pid, 0));
  assert.throws(() => process.kill(masterPid, 0));

  const none = await app.cli(['stop']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /not run/);
});

test('a foreground master answers status; restart -d stops it and starts a daemon in its place', async (t) => {
  const { spawn } = await import('node:child_process');
  const port = await freePort();
  const app = managedApp(t, ECHO_APP);
  const foreground = spawn(process.execPath, ['--import', 'tsx', app.startFile, 'start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port) },
  });
  app.track(foreground.pid as number);
  let output = '';
  foreground.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => foreground.once('exit', resolve));
  const report = await until(async () => {
    if (!output.includes('Start success')) return undefined;
    return app.status();
  }, 'the foreground start');
  assert.equal(report.masterPid, foreground.pid);
  assert.equal(live(report).length, 2);

  const restarted = await app.cli(['restart', '-d'], { PORT: String(port) });
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(restarted.stdout, /stop success[\s\S]*started as a daemon/);
  assert.equal(await exited, 0);
  const daemon = await app.status();
  assert.notEqual(daemon.masterPid, foreground.pid);
  assert.equal(live(daemon).length, 2);
  assert.equal((await app.cli(['stop'])).code, 0);
});
