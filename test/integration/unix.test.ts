import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AsyncTcpConnection, Protocols, Worker } from '../../src/index.js';

test('a unix socket worker with the text codec answers an AsyncTcpConnection', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'workerman-unix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'app.sock');
  const worker = new Worker(`unix://${path}`);
  worker.protocol = 'text';
  worker.onMessage = (connection, data) => {
    connection.send(`unix:${data}`);
  };
  await worker.listen();
  t.after(() => worker.stop());
  assert.equal(worker.transport, 'unix');

  const client = new AsyncTcpConnection(`unix://${path}`);
  client.protocol = Protocols.text as typeof client.protocol;
  const reply = new Promise<unknown>((resolve) => {
    client.onMessage = (_c, data) => resolve(data);
  });
  client.connect();
  client.send('hello');
  assert.equal(await reply, 'unix:hello');
  client.close();
});

test('a stale socket file left by a dead process is replaced; a live one is not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'workerman-unix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'stale.sock');
  // A listener whose file stays behind: close its handle without unlinking.
  const leftover = createServer();
  await new Promise<void>((resolve) => leftover.listen(path, resolve));
  const live = new Worker(`unix://${path}`);
  await assert.rejects(live.listen(), { code: 'WM_ERR_LISTEN_FAILED' });
  await new Promise<void>((resolve) => leftover.close(() => resolve()));
  assert.equal(existsSync(path), false);

  // A process killed with SIGKILL leaves its socket file behind.
  const dead = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
  ]);
  t.after(() => dead.kill('SIGKILL'));
  await once(dead.stdout, 'data');
  dead.kill('SIGKILL');
  await once(dead, 'exit');
  assert.equal(existsSync(path), true);
  const worker = new Worker(`unix://${path}`);
  await worker.listen();
  t.after(() => worker.stop());
  assert.ok(worker.getListenAddress()?.path.endsWith('stale.sock'));
});
