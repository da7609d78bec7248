import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { readResponse } from '../../helpers/http-reader.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

/**
 * A login app whose session store is slow: a save begins when the answer is
 * sent and goes on only once the process has begun to stop (its listener is
 * closed); then it takes 300 ms more, or never ends (`storeHangs`). The
 * client's connection is closed long before.
 */
async function startLoginApp(t: TestContext, stopTimeout: number, storeHangs: boolean) {
  const port = await freePort();
  const app = managedApp(t, '');
  const sessions = join(app.dir, 'sessions');
  const body = `
const { Session, FileSessionHandler } = wm;
Worker.stopTimeout = ${stopTimeout};
const web = new Worker('http://127.0.0.1:' + PORT);
web.name = 'web';
class SlowStore extends FileSessionHandler {
  async write(id, data, lifetime) {
    while (web.getListenAddress() !== null) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => ${storeHangs ? '{}' : 'setTimeout(resolve, 300)'});
    return super.write(id, data, lifetime);
  }
}
Session.handler = new SlowStore({ savePath: ${JSON.stringify(sessions)} });
web.onMessage = async (connection, request) => {
  const session = await request.session();
  session.set('user', 'ann');
  connection.send('logged in');
};
`;
  writeFileSync(
    app.startFile,
    readFileSync(app.startFile, 'utf8').replace('Worker.runAll();', `${body}\nWorker.runAll();`),
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);

  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  client.write('GET /login HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  const login = await readResponse(client);
  assert.equal(login.body.toString(), 'logged in');
  const id = /PHPSID=([0-9a-f]{32})/.exec(login.header('set-cookie') ?? '')?.[1];
  assert.ok(id, login.header('set-cookie'));
  await client.closed();
  const file = join(sessions, `ses_${id}`);
  assert.equal(existsSync(file), false, 'the save waits for the stop');
  return { app, file };
}

for (const verb of ['stop', 'reload'] as const) {
  test(`a session save still under way when the process ${verb}s is finished before it exits`, {
    timeout: 120_000,
  }, async (t) => {
    const { app, file } = await startLoginApp(t, 30, false);
    const result = await app.cli([verb]);
    assert.equal(result.code, 0, result.stderr);
    if (verb === 'reload') assert.match(result.stdout, /1 process\(es\) replaced/);
    assert.equal(readFileSync(file, 'utf8'), '{"user":"ann"}');
  });
}

test('a session save that never ends holds a stopping process no longer than stopTimeout', {
  timeout: 120_000,
}, async (t) => {
  const { app, file } = await startLoginApp(t, 1, true);
  const result = await app.cli(['stop']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /stop success/);
  // The child gave up waiting and exited by itself (it logs its exit), not
  // killed by the master at stopTimeout plus its grace.
  assert.match(readFileSync(join(app.dir, 'app.log'), 'utf8'), /worker\[web:\d+\] exit/);
  assert.equal(existsSync(file), false);
});
