import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';

test('reload: every WebSocket client of a replaced child gets a 1001 close, never a reset, and can reconnect', async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const w = new Worker('websocket://127.0.0.1:' + PORT);
w.name = 'ws';
w.count = 2;
w.onMessage = (connection, data) => { connection.send(String(data)); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);

  const open = async () => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`);
    t.after(() => client.terminate());
    await once(client, 'open');
    return client;
  };
  const clients = await Promise.all(Array.from({ length: 6 }, open));
  const outcomes = clients.map(
    (client) =>
      new Promise<string>((resolve) => {
        client.once('error', (error) => resolve(`error ${error.message}`));
        client.once('close', (code) => resolve(`close ${code}`));
      }),
  );
  for (const client of clients) {
    client.send('hi');
    assert.equal(String((await once(client, 'message'))[0]), 'hi');
  }

  const reloaded = await app.cli(['reload']);
  assert.equal(reloaded.code, 0, reloaded.stderr);
  assert.deepEqual(await Promise.all(outcomes), Array(6).fill('close 1001'));

  const again = await open();
  again.send('back');
  assert.equal(String((await once(again, 'message'))[0]), 'back');
  again.close();
  assert.equal((await app.cli(['stop'])).code, 0);
});
