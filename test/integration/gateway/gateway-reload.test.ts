// Reloading the business workers of a gateway cluster under steady client
// traffic drops no client and loses, doubles or reorders no message: each
// stopping worker leaves every gateway (LEAVING / LEFT), finishes what it
// was given, and the gateways route to the others (or hold the events while
// none is connected).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EchoStream } from '../../helpers/echo-stream.js';
import { startCluster } from '../../helpers/gateway-cluster.js';

const CLIENTS = 4;
const MIN_MESSAGES = 2000;
const MAX_MESSAGES = 100_000;
const RELOADS = 2;
// Each answer follows a little asynchronous work, so a stopping worker still
// has calls in hand when the gateway already routes the next ones elsewhere.
const WORK_MS = 10;

for (const businessCount of [2, 1]) {
  test(`${RELOADS} reloads of ${businessCount} business worker(s) under traffic from ${CLIENTS} clients`, {
    timeout: 180_000,
  }, async (t) => {
    const app = await startCluster(t, { BUSINESS_COUNT: String(businessCount) });
    const gateways = await app.pids('TextGateway');
    const clients = await Promise.all(
      Array.from({ length: CLIENTS }, () => EchoStream.connect(t, app.ports.GATEWAY_PORT)),
    );
    let reloading = true;
    const traffic = Promise.all(
      clients.map((client) =>
        client.run({
          min: MIN_MESSAGES,
          max: MAX_MESSAGES,
          keepGoing: () => reloading,
          workMs: WORK_MS,
        }),
      ),
    );
    // A failure of the traffic must not wait for the reloads to end.
    traffic.catch(() => {});
    const seen = new Set(await app.pids('BusinessWorker'));
    try {
      for (let round = 0; round < RELOADS; round++) {
        const reloaded = await app.cli(['reload']);
        assert.equal(reloaded.code, 0, reloaded.stderr);
        assert.match(reloaded.stdout, new RegExp(`${businessCount} process\\(es\\) replaced`));
        const now = await app.pids('BusinessWorker');
        assert.equal(now.length, businessCount);
        for (const pid of now)
          assert.ok(!seen.has(pid), `round ${round}: business worker ${pid} is new`);
        for (const pid of now) seen.add(pid);
      }
    } finally {
      reloading = false;
    }
    const results = await traffic;
    for (const [i, result] of results.entries()) {
      assert.deepEqual(result.errors, [], `client ${i}: every answer once, in order`);
      assert.equal(result.answered, result.sent, `client ${i}: every message answered`);
      assert.ok(result.sent >= MIN_MESSAGES);
    }
    for (const client of clients)
      assert.equal(client.closed, false, `client ${client.id} still connected`);
    assert.deepEqual(await app.pids('TextGateway'), gateways, 'gateways (reloadable = false) stay');
    t.diagnostic(`messages per client: ${results.map((r) => r.sent).join(', ')}`);
  });
}
