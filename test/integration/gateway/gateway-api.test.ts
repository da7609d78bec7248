// Every Gateway API call in a real cluster: a register, two gateway
// processes, two business workers, clients spread over both gateways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';

/** Connects until clients sit on both gateway processes (the id names the process). */
async function clientsOnBothGateways(t: import('node:test').TestContext, port: number, count: number) {
  const clients: ClusterClient[] = [];
  for (let i = 0; i < 50 && (clients.length < count || new Set(clients.map((c) => c.id.slice(0, 12))).size < 2); i++) {
    clients.push(await ClusterClient.connect(t, port));
  }
  assert.ok(new Set(clients.map((c) => c.id.slice(0, 12))).size >= 2, 'clients on two gateway processes');
  return clients;
}

test('the Gateway API across two gateway processes and two business workers', async (t) => {
  const app = await startCluster(t);
  const clients = await clientsOnBothGateways(t, app.ports.GATEWAY_PORT, 4);
  const [a, b, c] = clients as [ClusterClient, ClusterClient, ClusterClient];
  const onOtherGateway = clients.find((x) => x.id.slice(0, 12) !== a.id.slice(0, 12))!;
  assert.match(a.id, /^[0-9a-f]{20}$/);

  // Counts and lists.
  assert.equal(await a.call('getAllClientCount'), clients.length);
  assert.deepEqual(
    ((await a.call('getAllClientIdList')) as string[]).sort(),
    clients.map((x) => x.id).sort(),
  );
  assert.equal(await a.call('isOnline', onOtherGateway.id), true);
  assert.equal(await a.call('isOnline', `${a.id.slice(0, 12)}ffffffff`), false);

  // Sending: to one client on the other gateway, to all, to all but some, to a list.
  await a.call('sendToClient', onOtherGateway.id, 'direct');
  assert.deepEqual(await onOtherGateway.next(), { text: 'direct' });
});
