// Slow peers cannot make a gateway grow without bound. A business worker
// that stops reading fills its link up to sendToWorkerBufferSize; the
// gateway then stops reading the clients bound to it (their bytes wait in
// the kernel), and once the worker catches up every message arrives, in
// order, none lost. A client that does not read gets the connection's
// buffer-full policy (sends past maxSendBufferSize are refused, the
// connection stays) without holding back the clients that read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EchoStream } from '../../helpers/echo-stream.js';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const MB = 1024 * 1024;
const WORKER_BUFFER = 1_000_000;

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Resident memory of a process, bytes (VmRSS in /proc/<pid>/status). */
function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Samples the largest RSS of `pids` every 100 ms until `done` settles. */
async function peakRss(pids: number[], done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => {});
  let peak = 0;
  while (!finished) {
    for (const pid of pids) peak = Math.max(peak, rss(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return peak;
}

const CLIENTS = 6;
const MESSAGES = 400;
const PAD = 16 * 1024;
// Each client pushes MESSAGES × PAD ≈ 6.6 MB: about 40 MB in all, far over
// what the link may hold. The gateway may hold the link's buffer, a read's
// worth per client and its own heap's churn; the bound leaves room for GC.
const RSS_ALLOWANCE = 4 * WORKER_BUFFER + 24 * MB;

test('a stalled business worker: the gateway stays bounded, then every message arrives in order', {
  timeout: 150_000,
}, async (t) => {
  const app = await startCluster(t, {
    BUSINESS_COUNT: '1',
    SEND_TO_WORKER_BUFFER: String(WORKER_BUFFER),
  });
  const gateways = await app.pids('TextGateway');
  const staller = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => EchoStream.connect(t, app.ports.GATEWAY_PORT)),
  );
  // Warm up, so the baseline includes what serving costs.
  for (const client of clients)
    assert.deepEqual((await client.run({ min: 20, max: 20, pad: PAD })).errors, []);
  const baseline = Math.max(...gateways.map(rss));

  const stall = staller.call('stall', 6000);
  const traffic = Promise.all(
    clients.map((client) =>
      client.run({ min: MESSAGES, max: MESSAGES, window: MESSAGES, pad: PAD, answerMs: 60_000 }),
    ),
  );
  traffic.catch(() => {});
  let stalled = true;
  void stall.finally(() => (stalled = false)).catch(() => {});
  const peakDuringStall = peakRss(gateways, stall);
  // Once the gateway stopped reading the pushers (the link is full), a new
  // client connects: its connect event, then its calls, wait for the worker too.
  await until(
    () => !stalled || clients.reduce((sum, c) => sum + c.socket.socket.writableLength, 0) > 4 * MB,
    'the pushers to be held back',
  );
  const lateConnected = within(
    60_000,
    'the welcome of a client that connected while the link was full',
    EchoStream.connect(t, app.ports.GATEWAY_PORT),
  );
  lateConnected.catch(() => {});
  t.diagnostic(`late client connected ${stalled ? 'during' : 'after'} the stall`);
  const peak = await peakDuringStall;
  const late = await lateConnected;
  const lateResult = await late.run({ min: 50, max: 50, pad: PAD });
  assert.deepEqual(lateResult.errors, []);
  assert.equal(lateResult.answered, 50, 'the late client is served');
  const results = await traffic;
  t.diagnostic(
    `gateway RSS: baseline ${(baseline / MB).toFixed(1)} MB, peak during the stall ${(peak / MB).toFixed(1)} MB`,
  );

  for (const [i, result] of results.entries()) {
    assert.deepEqual(result.errors, [], `client ${i}: every answer once, in order`);
    assert.equal(result.answered, MESSAGES, `client ${i}: none lost`);
  }
  for (const client of clients)
    assert.equal(client.closed, false, `client ${client.id} stays connected`);
  assert.ok(
    peak < baseline + RSS_ALLOWANCE,
    `gateway RSS ${(peak / MB).toFixed(1)} MB stays under ${((baseline + RSS_ALLOWANCE) / MB).toFixed(1)} MB`,
  );
});

const FLOOD = 640;
const FLOOD_SIZE = 64 * 1024;
const FLOOD_ROUND = 8;

test('a client that does not read: its sends are refused past maxSendBufferSize, it stays, and readers get everything', {
  timeout: 150_000,
}, async (t) => {
  const app = await startCluster(t);
  const gateways = await app.pids('TextGateway');
  const reader = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
  const slow = await TestClient.connect(app.ports.GATEWAY_PORT);
  t.after(() => slow.destroy());
  const welcome = JSON.parse(await slow.readLine()) as { id: string };
  slow.socket.pause();
  const baseline = Math.max(...gateways.map(rss));

  // The flood goes in rounds the reader keeps up with; the slow client falls behind.
  const flood = (async () => {
    for (let from = 0; from < FLOOD; from += FLOOD_ROUND) {
      await reader.call('flood', from, FLOOD_ROUND, FLOOD_SIZE);
      for (let i = from; i < from + FLOOD_ROUND; i++) {
        const line = String((await reader.next()).text);
        assert.equal(
          line.slice(0, line.indexOf(' ')),
          String(i),
          'the reader gets every flood message, in order',
        );
      }
    }
  })();
  const peak = await peakRss(gateways, flood);
  await flood;
  t.diagnostic(
    `gateway RSS: baseline ${(baseline / MB).toFixed(1)} MB, peak during the flood ${(peak / MB).toFixed(1)} MB`,
  );
  // The flood was ~42 MB to each client; the slow one may hold 1 MiB in the gateway.
  assert.ok(peak < baseline + 32 * MB, `gateway RSS ${(peak / MB).toFixed(1)} MB stays bounded`);

  // The slow client is still connected. Once it reads and its buffer
  // drained, messages reach it again: a marker sent while the buffer is
  // still full is refused too, so one is sent each second until one arrives.
  assert.equal(await reader.call('isOnline', welcome.id), true, 'the slow client stays connected');
  slow.socket.resume();
  let markers = 0;
  let lastMarker = 0;
  await until(
    () => {
      const buffered = slow.buffered;
      if (buffered.indexOf('marker ') === 0 || buffered.indexOf('\nmarker ') !== -1) return true;
      if (Date.now() - lastMarker > 1000) {
        lastMarker = Date.now();
        void reader.call('sendToAll', `marker ${markers++}`);
      }
      return false;
    },
    'a marker to reach the slow client',
    60_000,
  );
  const lines = slow.buffered.toString().split('\n');
  const got = lines
    .slice(
      0,
      lines.findIndex((line) => line.startsWith('marker ')),
    )
    .map((line) => Number(line.slice(0, line.indexOf(' '))));
  t.diagnostic(`the slow client got ${got.length} of ${FLOOD} flood messages`);
  assert.ok(got.length > 0, 'the slow client got the start of the flood');
  assert.ok(
    got.length < FLOOD,
    `sends past its buffer were refused: got ${got.length} of ${FLOOD}`,
  );
  for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, 'what it got is in order');
  assert.equal(slow.socket.destroyed, false, 'the slow client is still connected');
});
