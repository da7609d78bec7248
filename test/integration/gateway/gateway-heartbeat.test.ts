// The gateway's client heartbeat: pingData goes to every client each
// pingInterval; a client silent through pingNotResponseLimit checks is
// closed and its business onClose runs; one that answers stays. With a
// limit of 0 pings are only sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const PING = { type: 'ping' };
const PING_LINE = JSON.stringify(PING);

/** Answers every ping with a call (anything a client sends counts), until `stop()`. */
function answerPings(client: ClusterClient): { pings: () => number; stop: () => void } {
  let pings = 0;
  let stopped = false;
  void (async () => {
    while (!stopped && !client.closed) {
      await client.next((line) => line.type === 'ping');
      pings++;
      await client.call('echo', 'pong');
    }
  })().catch(() => {});
  return { pings: () => pings, stop: () => (stopped = true) };
}

/** A raw client that never sends anything after connecting. */
async function silentClient(
  port: number,
): Promise<{ socket: TestClient; welcome: { id: string } }> {
  const socket = await TestClient.connect(port);
  for (;;) {
    // The first ping may come before the business worker's welcome.
    const line = JSON.parse(await socket.readLine()) as { event?: string; id: string };
    if (line.event === 'welcome') return { socket, welcome: line };
  }
}

test('PING_LIMIT=1: a silent client is pinged, then closed and its onClose runs; one that answers stays', {
  timeout: 90_000,
}, async (t) => {
  const app = await startCluster(t, { PING_INTERVAL: '1', PING_LIMIT: '1', PING_DATA: PING_LINE });
  const watcher = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
  const answering = answerPings(watcher);
  t.after(() => answering.stop());
  await watcher.call('joinGroup', watcher.id, 'watchers');

  // Read raw: on a slow machine the close may come before the business worker's welcome.
  const silent = await TestClient.connect(app.ports.GATEWAY_PORT);
  t.after(() => silent.destroy());
  const lines: Record<string, unknown>[] = [];
  for (;;) {
    const line = await silent.readLine().catch(() => null);
    if (line === null) break;
    lines.push(JSON.parse(line) as Record<string, unknown>);
  }
  await silent.closed();
  const pings = lines.filter((line) => line.type === 'ping');
  const welcome = lines.find((line) => line.event === 'welcome');
  assert.ok(pings.length >= 1, 'the silent client was pinged before being closed');
  assert.equal(
    pings.length + (welcome ? 1 : 0),
    lines.length,
    `only pings and a welcome: ${JSON.stringify(lines)}`,
  );

  const left = await watcher.next((line) => line.event === 'left');
  assert.notEqual(left.id, watcher.id);
  if (welcome) assert.equal(left.id, welcome.id, 'the business onClose ran for the silent client');

  // The watcher answers and stays through more checks than the limit.
  const seen = answering.pings();
  await until(
    () => answering.pings() >= seen + 3 || watcher.closed,
    'three more pings to the watcher',
  );
  assert.equal(watcher.closed, false, 'a client that answers pings stays');
  assert.ok(answering.pings() >= seen + 3, 'the watcher went through three more checks');
});

test('PING_LIMIT=0: pings are sent, nobody is closed', { timeout: 90_000 }, async (t) => {
  const app = await startCluster(t, { PING_INTERVAL: '1', PING_LIMIT: '0', PING_DATA: PING_LINE });
  const silent = await silentClient(app.ports.GATEWAY_PORT);
  t.after(() => silent.socket.destroy());
  for (let ping = 0; ping < 4; ping++) assert.equal(await silent.socket.readLine(), PING_LINE);
  assert.equal(silent.socket.socket.destroyed, false, 'a silent client stays when the limit is 0');
  const other = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
  assert.equal(await other.call('isOnline', silent.welcome.id), true);
});
