// examples/gateway-split: the distributed chapter's split start files. The
// register, the gateways and the business workers run as three separate
// masters (as on three machines) and still form one cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, runStartFile } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

const example = (file: string) =>
  fileURLToPath(new URL(`../../../examples/gateway-split/${file}`, import.meta.url));

async function hello(client: TestClient): Promise<string> {
  const line = await client.readLine();
  assert.match(line, /^hello [0-9a-f]{20}$/);
  return line.slice('hello '.length);
}

for (const layout of [
  ['start-register.ts', 'start-gateway.ts', 'start-business.ts'],
  ['start.ts'],
]) {
  test(`examples/gateway-split: ${layout.join(' + ')}`, { timeout: 180_000 }, async (t) => {
    const gatewayPort = await freePort();
    const env = {
      REGISTER_ADDRESS: `127.0.0.1:${await freePort()}`,
      GATEWAY_LISTEN: `text://127.0.0.1:${gatewayPort}`,
      START_PORT: '0',
      CLUSTER_SECRET: 'split-test-secret',
    };
    // Each start file is its own master, as on its own machine.
    for (const file of layout) {
      await runStartFile(t, example(file), env).waitForLine(/Start success/);
    }
    const alice = await TestClient.connect(gatewayPort);
    const bob = await TestClient.connect(gatewayPort);
    t.after(() => {
      alice.destroy();
      bob.destroy();
    });
    await hello(alice);
    const bobId = await hello(bob);
    alice.write('login alice\n');
    assert.equal(await alice.readLine(), 'welcome alice');
    bob.write('to alice psst\n');
    assert.equal(await alice.readLine(), `${bobId} (to you): psst`);
    bob.write('hi all\n');
    assert.equal(await alice.readLine(), `${bobId}: hi all`);
    assert.equal(await bob.readLine(), `${bobId}: hi all`);
  });
}
