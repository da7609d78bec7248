import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenWorker } from '../../helpers/listen.js';
import { mutate, rng, validStream } from '../../helpers/ws-fuzz-streams.js';
import { clientFrame, RawWebSocketClient } from '../../helpers/ws-raw-client.js';
import { feed, serverParser } from '../../unit/websocket/feed.js';

// Seeded mutated streams over real connections, in random chunks: the
// server never crashes or hangs, each offending connection is closed with
// the code the RFC asks for, and a bystander connection is untouched.

const LIMIT = 4096;

test('fuzzed connections are failed with the right code; the others go on', async (t) => {
  const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxPackageSize = LIMIT + 14;
    };
    w.onMessage = (connection, data) => {
      connection.send(data);
    };
  });
  const bystander = await RawWebSocketClient.open(worker.port);
  t.after(() => bystander.ws.destroy());
  const random = rng(4242);
  const before = process.memoryUsage().arrayBuffers;
  let failed = 0;
  for (let round = 0; round < 80; round++) {
    const bytes = mutate(random, validStream(random));
    const parser = serverParser({ maxMessageBytes: LIMIT + 14, maxFrameBytes: LIMIT + 14 });
    const outcomes = feed(parser, [bytes]);
    const closeAt = outcomes.findIndex((o) => 'close' in o);
    const last = (closeAt === -1 ? outcomes : outcomes.slice(0, closeAt + 1)).at(-1);
    if (!last || !('error' in last)) continue;
    const { ws } = await RawWebSocketClient.open(worker.port);
    let at = 0;
    while (at < bytes.length) {
      const size = 1 + random(16);
      ws.send(bytes.subarray(at, at + size));
      at += size;
    }
    assert.equal(await ws.readClose(), last.error, `round ${round}`);
    await ws.closed();
    failed++;
    bystander.ws.send(clientFrame(1, `still here ${round}`));
    assert.equal((await bystander.ws.readFrame()).payload.toString(), `still here ${round}`);
  }
  assert.ok(failed > 20, `only ${failed} invalid streams`);
  assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
  assert.equal(worker.connections.size, 1);
});
