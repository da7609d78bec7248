import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

test('with fileMonitor set, changing a source file reloads the children, who load the new code', async (t) => {
  const port = await freePort();
  const app = managedApp(t, '');
  const lib = `${app.dir}/lib/greeting.ts`;
  const { mkdirSync } = await import('node:fs');
  mkdirSync(`${app.dir}/lib`);
  writeFileSync(lib, "export const greeting = 'v1';\n");
  writeFileSync(
    app.startFile,
    readFileSync(app.startFile, 'utf8').replace(
      'Worker.runAll();',
      `Worker.fileMonitor = [${JSON.stringify(`${app.dir}/lib`)}];
const w = new Worker('text://127.0.0.1:' + PORT);
w.count = 2;
let greeting = '';
w.onWorkerStart = async () => {
  // Loaded once per child: only a replaced child can know the new text.
  ({ greeting } = await import(${JSON.stringify(lib)}));
};
w.onMessage = (connection) => { connection.send(greeting); };
Worker.runAll();`,
    ),
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const before = (await app.status()).children.map((c) => c.pid);
  const ask = async () => {
    const client = await TestClient.connect(port);
    try {
      client.write('x\n');
      return await client.readLine();
    } finally {
      client.socket.destroy();
    }
  };
  assert.equal(await ask(), 'v1');

  writeFileSync(lib, "export const greeting = 'v2';\n");
  const deadline = Date.now() + 30_000;
  let after = before;
  while (after.some((pid) => before.includes(pid)) || after.length !== 2) {
    assert.ok(Date.now() < deadline, 'children replaced after the change');
    await new Promise((resolve) => setTimeout(resolve, 100));
    after = (await app.status()).children.map((c) => c.pid);
  }
  assert.equal(await ask(), 'v2');
  assert.match(readFileSync(`${app.dir}/app.log`, 'utf8'), /greeting\.ts changed: reloading/);
  assert.equal((await app.cli(['stop'])).code, 0);
});
