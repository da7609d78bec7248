// examples/text-chat: the manual's line chat, started as a user would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, runStartFile } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

const START = fileURLToPath(new URL('../../../examples/text-chat/start.ts', import.meta.url));

test('examples/text-chat: joins, lines to everyone with who said them, leaves', async (t) => {
  const port = await freePort();
  await runStartFile(t, START, { PORT: String(port) }).waitForLine(/Start success/);
  const alice = await TestClient.connect(port);
  t.after(() => alice.destroy());
  const aliceId = (await alice.readLine()).replace('welcome, you are ', '');
  const bob = await TestClient.connect(port);
  t.after(() => bob.destroy());
  const bobId = (await bob.readLine()).replace('welcome, you are ', '');
  assert.equal(await alice.readLine(), `${bobId} joined`);
  alice.write('hello bob\r\n');
  assert.equal(await bob.readLine(), `${aliceId}: hello bob`);
  assert.equal(await alice.readLine(), `${aliceId}: hello bob`);
  bob.destroy();
  assert.equal(await alice.readLine(), `${bobId} left`);
});
