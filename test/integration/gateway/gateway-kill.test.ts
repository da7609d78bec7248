// A process of the cluster killed with SIGKILL (no goodbye): the gateways
// notice a dead business worker by its link closing and route to the
// others; a dead gateway's clients are closed by the kernel, the others
// stay, and the Gateway API skips the dead gateway instead of hanging.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { EchoStream } from '../../helpers/echo-stream.js';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';
import { until } from '../../helpers/until.js';

/** The prefix of a client id that names its gateway process. */
const gatewayOf = (id: string) => id.slice(0, 12);

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not resolve within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

test('kill -9 of a business worker: clients stay, the gateways route to the other', {
  timeout: 120_000,
}, async (t) => {
  const app = await startCluster(t);
  const clients = await Promise.all(
    Array.from({ length: 6 }, () => EchoStream.connect(t, app.ports.GATEWAY_PORT)),
  );
  for (const client of clients) {
    const before = await client.run({ min: 50, max: 50 });
    assert.deepEqual(before.errors, []);
  }
  const [victim, survivor] = (await app.pids('BusinessWorker')) as [number, number];
  // Traffic in flight while the worker dies; answers it held may be lost.
  for (const client of clients) for (let i = 0; i < 4; i++) client.fire();
  process.kill(victim, 'SIGKILL');

  // Every client is answered again (by the survivor, or the restarted one).
  for (const client of clients)
    await until(() => client.probe(2000), `client ${client.id} answered after the kill`);
  const results = await Promise.all(clients.map((client) => client.run({ min: 500, max: 500 })));
  for (const [i, result] of results.entries()) {
    assert.deepEqual(result.errors, [], `client ${i}: answers once each, in order`);
    assert.equal(result.answered, 500);
  }
  for (const client of clients)
    assert.equal(client.closed, false, `client ${client.id} stays connected`);
  const now = await until(async () => {
    const pids = await app.pids('BusinessWorker');
    return pids.length === 2 && !pids.includes(victim) ? pids : undefined;
  }, 'the master to restart the killed business worker');
  assert.ok(now.includes(survivor), 'the other business worker kept running');
});

/** Connects clients until at least `each` sit on each of the two gateway processes. */
async function clientsOnBothGateways(
  t: TestContext,
  port: number,
  each: number,
): Promise<Map<string, ClusterClient[]>> {
  const byGateway = new Map<string, ClusterClient[]>();
  const enough = () =>
    byGateway.size === 2 && [...byGateway.values()].every((list) => list.length >= each);
  for (let i = 0; i < 100 && !enough(); i++) {
    const client = await ClusterClient.connect(t, port);
    const list = byGateway.get(gatewayOf(client.id)) ?? [];
    list.push(client);
    byGateway.set(gatewayOf(client.id), list);
  }
  assert.ok(
    enough(),
    `clients on both gateway processes: ${[...byGateway.values()].map((l) => l.length)}`,
  );
  return byGateway;
}

test('kill -9 of a gateway: its clients see a close, the others stay, queries skip it, the restarted gateway serves', {
  timeout: 120_000,
}, async (t) => {
  const app = await startCluster(t);
  const byGateway = await clientsOnBothGateways(t, app.ports.GATEWAY_PORT, 3);
  const everyone = [...byGateway.values()].flat();
  const [first] = everyone as [ClusterClient];
  assert.equal(await first.call('getAllClientCount'), everyone.length);

  const gatewayPids = await app.pids('TextGateway');
  assert.equal(gatewayPids.length, 2);
  process.kill(gatewayPids[0]!, 'SIGKILL');

  // Which gateway was killed shows in who is closed: all of one prefix, none of the other.
  const deadPrefix = await until(
    () =>
      everyone.find((client) => client.closed) &&
      gatewayOf(everyone.find((client) => client.closed)!.id),
    'a client of the killed gateway to see its connection close',
  );
  const dead = byGateway.get(deadPrefix)!;
  const alive = everyone.filter((client) => gatewayOf(client.id) !== deadPrefix);
  await within(
    10_000,
    'the close of every client of the killed gateway',
    Promise.all(dead.map((c) => c.whenClosed())),
  );
  const caller = alive[0]!;

  // Queries skip the dead gateway (within a bound), sends to its clients resolve.
  assert.equal(
    await within(15_000, 'getAllClientCount', caller.call('getAllClientCount')),
    alive.length,
  );
  assert.deepEqual(
    (
      (await within(15_000, 'getAllClientIdList', caller.call('getAllClientIdList'))) as string[]
    ).sort(),
    alive.map((c) => c.id).sort(),
  );
  assert.equal(
    await within(
      15_000,
      'sendToClient to a dead client',
      caller.call('sendToClient', dead[0]!.id, 'lost'),
    ),
    null,
  );
  for (const client of alive)
    assert.equal(client.closed, false, `client ${client.id} of the other gateway stays`);

  // The master restarts the gateway; new clients reach it and are reachable from a business worker.
  await until(async () => {
    const pids = await app.pids('TextGateway');
    return pids.length === 2 && !pids.includes(gatewayPids[0]!);
  }, 'the master to restart the killed gateway');
  const alivePrefix = gatewayOf(caller.id);
  const newcomer = await until(async () => {
    const client = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
    if (gatewayOf(client.id) !== alivePrefix) return client;
    client.destroy();
    return undefined;
  }, 'a client on the restarted gateway');
  assert.notEqual(
    gatewayOf(newcomer.id),
    deadPrefix,
    'the restarted gateway has a new internal address',
  );
  await until(
    async () => (await within(15_000, 'isOnline', caller.call('isOnline', newcomer.id))) === true,
    'the business workers to link to the restarted gateway',
  );
  await caller.call('sendToClient', newcomer.id, 'welcome back');
  assert.deepEqual(await newcomer.next(), { text: 'welcome back' });
  assert.equal(await newcomer.call('getAllClientCount'), alive.length + 1);
});
