import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { decodeClientId } from '../../../src/gateway/wire/client-id.js';
import { GatewayClient, openRegistry, setLogSink } from '../../../src/index.js';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';
import { pidListeningOn } from '../../helpers/process-state.js';
import { startRedis, startRedisServer } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';

const KEY = 'cluster-secret'; // the fixture's default SECRET
/** Seconds an entry lives without a refresh: short, so expiries happen within the test. */
const TTL = 2;
/** The documented bound for a killed gateway to leave the list is ttl plus one read; slack for a busy machine. */
const GONE_WITHIN_MS = TTL * 1000 + 3000;

const gatewayOf = (client: ClusterClient) => decodeClientId(client.id).gateway;
const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

/** Lines logged in this process (the watching registry's). */
function captureLog(t: TestContext): string[] {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  t.after(() => setLogSink(previous));
  return lines;
}

/** Connects clients until one sits on each of `gateways` (the shared port spreads them); bounded by count. */
async function clientsOn(
  t: TestContext,
  port: number,
  gateways: readonly string[],
  into: ClusterClient[],
): Promise<ClusterClient[]> {
  const found = new Map<string, ClusterClient>();
  for (let attempt = 0; attempt < 60 && found.size < gateways.length; attempt++) {
    const client = await ClusterClient.connect(t, port);
    into.push(client);
    const gateway = gatewayOf(client);
    if (gateways.includes(gateway) && !found.has(gateway)) found.set(gateway, client);
  }
  assert.equal(found.size, gateways.length, `a client on each of ${gateways.join(', ')}`);
  return gateways.map((gateway) => found.get(gateway) as ClusterClient);
}

let round = 0;
/** `from` sends to `to` through the Gateway API of its business worker; `to` receives it. */
async function reach(from: ClusterClient, to: ClusterClient): Promise<void> {
  const text = `hello ${++round} from ${from.id}`;
  const result = await from.call('sendToClient', to.id, text);
  assert.notEqual(result, false, `sendToClient ${from.id} -> ${to.id}`);
  await to.next((line) => line.text === text);
}

/** Polls a business query from `from` until its worker lists `target` (it learned that gateway). */
function untilListed(from: ClusterClient, target: ClusterClient, what: string) {
  return until(
    async () => ((await from.call('getAllClientIdList')) as string[]).includes(target.id),
    what,
  );
}

test('a cluster on the Redis registry: gateways come and go, a Redis outage drops nothing, the cluster heals', {
  timeout: 240_000,
}, async (t) => {
  const redis = await startRedisServer(t);
  const url = `redis://127.0.0.1:${redis.port}/1?prefix=wm-test:&ttl=${TTL}`;
  const logged = captureLog(t);
  const lists: string[][] = [];
  const watcher = openRegistry({
    registerAddress: url,
    secretKey: KEY,
    role: 'client',
    onAddresses: (addresses) => void lists.push(addresses),
  });
  t.after(() => watcher.stop());
  await watcher.start();
  const app = await startCluster(t, { REGISTRY: url, GATEWAY_COUNT: '2', BUSINESS_COUNT: '2' });
  const port = app.ports.GATEWAY_PORT;
  const [g1, g2] = (await until(
    () => watcher.addresses.length === 2 && [...watcher.addresses],
    'both gateway processes listed in Redis',
  )) as [string, string];

  // Clients on the two gateway processes reach each other through the API.
  const clients: ClusterClient[] = [];
  const [a, b] = await clientsOn(t, port, [g1, g2], clients);
  assert.ok(a && b);
  await untilListed(a, b, "a's business worker linked to b's gateway");
  await untilListed(b, a, "b's business worker linked to a's gateway");
  await reach(a, b);
  await reach(b, a);
  // A GatewayClient outside the cluster finds the gateways through Redis too.
  const outside = new GatewayClient({ registerAddress: url, secretKey: KEY });
  t.after(() => outside.close());
  assert.equal(await outside.getAllClientCount(), clients.length);
  await outside.sendToClient(b.id, 'from outside');
  await b.next((line) => line.text === 'from outside');
  await outside.close(); // the watcher stays this process's one registry: its log lines are counted below

  // kill -9 of a's gateway: its entry expires within the bound; the
  // master's replacement (a new ephemeral inner port) is listed at once.
  const killedAt = Date.now();
  process.kill(pidListeningOn(portOf(g1)) as number, 'SIGKILL');
  await a.whenClosed();
  const [, g3] = await Promise.all([
    until(
      () => !watcher.addresses.includes(g1),
      `${g1} leaving the list within ttl plus one read`,
      GONE_WITHIN_MS - (Date.now() - killedAt),
    ),
    until(
      () => watcher.addresses.find((address) => address !== g1 && address !== g2),
      'the restarted gateway listed',
    ),
  ]);
  const [c] = await clientsOn(t, port, [g3], clients);
  assert.ok(c);
  await untilListed(b, c, "b's business worker learned the new gateway");
  await untilListed(c, b, "c's business worker linked to b's gateway");
  await reach(b, c);
  await reach(c, b);
  const survivors = () => clients.filter((client) => gatewayOf(client) !== g1);

  // Redis goes away. Each process logs it once; clients stay connected and
  // messages between gateways keep flowing past the time every entry in
  // Redis would have expired (what is under test is that nothing reacts
  // to that: the work is bounded by count, its length by that moment).
  const lostLine = /pid:(\d+) redis registry: lost redis:\/\/127\.0\.0\.1:\d+\/1/;
  const outageAt = Date.now();
  await redis.kill();
  await until(
    () => app.output.filter((line) => lostLine.test(line)).length >= 4,
    'two gateways and two business workers logging the outage',
  );
  for (let rounds = 0; rounds < 10_000 && Date.now() - outageAt < TTL * 1500 + 500; rounds++) {
    await reach(b, c);
    await reach(c, b);
  }
  assert.deepEqual(
    survivors().filter((client) => client.closed),
    [],
    'no client closed during the outage',
  );
  assert.deepEqual([...watcher.addresses], [g2, g3].sort(), 'the last list is kept');

  // A gateway restarted during the outage cannot announce itself yet.
  const pidOfC = pidListeningOn(portOf(g3)) as number;
  process.kill(pidOfC, 'SIGKILL');
  await c.whenClosed();
  const cannotReach = /pid:(\d+) redis registry: cannot reach/;
  await until(
    () => app.output.some((line) => cannotReach.test(line)),
    'the replacement gateway starting while Redis is down',
  );

  // Redis is back (empty, on the same port): the cluster heals.
  await redis.start();
  const g4 = await until(
    () => watcher.addresses.find((address) => ![g1, g2, g3].includes(address)),
    'the gateway started during the outage, listed after it',
  );
  await until(() => !watcher.addresses.includes(g3), `${g3} leaving the list after the grace`);
  assert.ok(
    lists.every((list, i) => i === 0 || list.includes(g2)),
    `${g2} never left any list: ${JSON.stringify(lists)}`,
  );
  const [d] = await clientsOn(t, port, [g4], clients);
  assert.ok(d);
  await untilListed(b, d, "b's business worker learned the gateway started during the outage");
  await untilListed(d, b, "d's business worker still linked to b's gateway");
  await reach(b, d);
  await reach(d, b);
  assert.deepEqual(
    clients.filter((client) => client.closed && ![g1, g3].includes(gatewayOf(client))),
    [],
    'only the clients of the killed gateways were closed',
  );

  // The outage and the recovery: logged once by each process.
  const pidsOf = (pattern: RegExp, lines: readonly string[]) =>
    lines.map((line) => pattern.exec(line)?.[1]).filter((pid) => pid !== undefined);
  const lost = pidsOf(lostLine, app.output);
  assert.equal(new Set(lost).size, lost.length, `one outage line per process: ${lost}`);
  const backLine = /pid:(\d+) redis registry: redis:\/\/127\.0\.0\.1:\d+\/1 is back after/;
  await until(
    () => pidsOf(backLine, app.output).length >= 3,
    'the surviving gateway and both business workers logging the recovery',
  );
  const back = pidsOf(backLine, app.output);
  assert.equal(new Set(back).size, back.length, `one recovery line per process: ${back}`);
  assert.equal(
    logged.filter((line) => /redis registry: lost/.test(line)).length,
    1,
    logged.join('\n'),
  );
  assert.equal(logged.filter((line) => /redis registry: .* is back after/.test(line)).length, 1);
});

test('a clean stop leaves the lists at once; an entry not signed with the key is never listed', async (t) => {
  const port = await startRedis(t);
  // A ttl of an hour: whatever leaves a list here left it by message, not by expiry.
  const url = `redis://127.0.0.1:${port}/0?prefix=wm-unit:&ttl=3600`;
  const logged = captureLog(t);
  const lists: string[][] = [];
  const watcher = openRegistry({
    registerAddress: url,
    secretKey: KEY,
    role: 'client',
    onAddresses: (addresses) => void lists.push(addresses),
  });
  t.after(() => watcher.stop());
  await watcher.start();
  const announce = async (address: string, secretKey = KEY) => {
    const gateway = openRegistry({
      registerAddress: url,
      secretKey,
      role: 'gateway',
      announce: address,
    });
    t.after(() => gateway.stop());
    await gateway.start();
    return gateway;
  };
  const first = await announce('10.0.0.1:2001');
  await until(() => watcher.addresses.includes('10.0.0.1:2001'), 'the first gateway listed');
  // Another cluster's gateway under the same prefix (another key): refused, logged once.
  const stranger = await announce('10.0.0.66:2001', 'another cluster');
  const second = await announce('10.0.0.2:2001');
  await until(() => watcher.addresses.includes('10.0.0.2:2001'), 'the second gateway listed');
  await until(
    () => logged.some((line) => /ignoring the entry of "10\.0\.0\.66:2001"/.test(line)),
    'the unsigned entry reported',
  );
  assert.ok(
    lists.every((list) => !list.includes('10.0.0.66:2001')),
    'never listed',
  );
  await first.stop();
  await until(() => !watcher.addresses.includes('10.0.0.1:2001'), 'a clean stop announced');
  assert.deepEqual([...watcher.addresses], ['10.0.0.2:2001']);
  await Promise.all([second.stop(), stranger.stop()]);
  await until(() => watcher.addresses.length === 0, 'every gateway gone');
  assert.equal(logged.filter((line) => /ignoring the entry/.test(line)).length, 1);
  assert.deepEqual(
    logged.filter((line) => /redis registry: (lost|cannot reach)/.test(line)),
    [],
    'nothing to report',
  );
});
