import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

test('stop -g lets an open request finish; stopTimeout ends a stuck connection', async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
Worker.stopTimeout = 2;
const w = new Worker('text://127.0.0.1:' + PORT);
w.onMessage = (connection, line) => {
  if (line === 'slow') setTimeout(() => connection.send('done'), 500);
  else if (line !== 'stuck') connection.send(line);
};
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const slow = await TestClient.connect(port);
  const stuck = await TestClient.connect(port);
  t.after(() => {
    slow.socket.destroy();
    stuck.socket.destroy();
  });
  stuck.write('stuck\n');
  slow.write('ping\n');
  assert.equal(await slow.readLine(), 'ping');
  slow.write('slow\n');
  const stopping = app.cli(['stop', '-g']);
  // The open request is answered although the stop has begun.
  assert.equal(await slow.readLine(), 'done');
  slow.socket.end();
  // The stuck connection is cut at stopTimeout, and then the stop completes.
  await stuck.closed();
  const stopped = await stopping;
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /stop success/);
});

test('children run as the given user when started as root', {
  skip: process.getuid?.() !== 0,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const w = new Worker('text://127.0.0.1:' + PORT);
w.user = 'nobody';
w.count = 2;
w.onMessage = (connection) => { connection.send(String(process.getuid())); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const report = await app.status();
  const [, , nobody, nobodyGroup] =
    readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((line) => line.startsWith('nobody:'))
      ?.split(':') ?? [];
  assert.ok(nobody && nobodyGroup);
  assert.equal(report.children.length, 2);
  for (const child of report.children) {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    // Real, effective, saved and filesystem ids: nothing left to regain root with.
    assert.match(
      status,
      new RegExp(`^Uid:\\s+${nobody}\\s+${nobody}\\s+${nobody}\\s+${nobody}$`, 'm'),
    );
    assert.match(
      status,
      new RegExp(
        `^Gid:\\s+${nobodyGroup}\\s+${nobodyGroup}\\s+${nobodyGroup}\\s+${nobodyGroup}$`,
        'm',
      ),
    );
    const groups = /^Groups:(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    assert.ok(!groups.includes('0'), `no root group left: ${groups}`);
  }
  // The master keeps root: it re-forks children that must switch to the
  // user, and binds the listening sockets (see docs/cli.md, Privileges).
  assert.match(readFileSync(`/proc/${report.masterPid}/status`, 'utf8'), /^Uid:\s+0\s/m);
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write('who\n');
  assert.equal(await client.readLine(), nobody);
  client.socket.destroy();
  assert.equal((await app.cli(['stop'])).code, 0);
  // The children log through the master: their lines reach the root-owned log.
  const log = readFileSync(`${app.dir}/app.log`, 'utf8');
  for (const child of report.children)
    assert.match(log, new RegExp(`worker\\[none:${child.pid}\\] exit`));
});

test('an unknown user fails the start with a message that names it', {
  skip: process.getuid?.() !== 0,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const w = new Worker('text://127.0.0.1:' + PORT);
w.user = 'no-such-user-here';
w.onMessage = (connection) => { connection.send('x'); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.notEqual(started.code, 0);
  assert.match(started.stderr, /cannot run as user "no-such-user-here"/);
  assert.equal(app.masterPid() > 0 && existsSync(app.pidFile), false, 'nothing left running');
});

test('status shows a child blocked in a callback as busy, and the others with their figures', async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const w = new Worker('text://127.0.0.1:' + PORT);
w.count = 2;
w.onMessage = (connection, line) => {
  if (line === 'block') {
    // Blocked until the test has seen it busy (bounded, in case the test dies).
    const { existsSync } = process.getBuiltinModule('node:fs');
    const until = Date.now() + 30_000;
    while (!existsSync(process.env.UNBLOCK ?? '') && Date.now() < until) {}
  }
  connection.send(line);
};
`,
  );
  const unblock = `${app.dir}/unblock`;
  const started = await app.cli(['start', '-d'], { PORT: String(port), UNBLOCK: unblock });
  assert.equal(started.code, 0, started.stderr);
  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write('hello\n');
  assert.equal(await client.readLine(), 'hello');
  const before = await app.status();
  const serving = before.children.find((c) => !c.busy && c.connections === 1);
  assert.ok(serving, 'the child holding our connection');
  client.write('block\n');
  const during = await app.status();
  const blocked = during.children.find((c) => c.pid === serving.pid);
  assert.equal(blocked?.busy, true);
  assert.ok(during.children.some((c) => c.pid !== serving.pid && !c.busy));
  const table = await app.cli(['status']);
  assert.match(table.stdout, /\[busy\]/);
  writeFileSync(unblock, '');
  assert.equal(await client.readLine(), 'block');
  assert.equal((await app.cli(['stop'])).code, 0);
});
