import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runStartFile } from '../../helpers/start-file.js';

const server = fileURLToPath(new URL('../../fixtures/slowloris-server.ts', import.meta.url));
const SLOW_SOCKETS = 1000;
const HEADER_TIMEOUT = 4;

interface Memory {
  connections: number;
  rss: number;
  heapUsed: number;
  external: number;
}

async function memory(port: number): Promise<Memory> {
  const response = await fetch(`http://127.0.0.1:${port}/memory`, {
    headers: { connection: 'close' },
  });
  return (await response.json()) as Memory;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);

test(`${SLOW_SOCKETS} slowloris sockets neither block other clients nor grow the server by more than a few MB, and are all cut`, async (t) => {
  const app = runStartFile(t, server, { HEADER_TIMEOUT: String(HEADER_TIMEOUT) });
  const { port } = JSON.parse(await app.waitForLine(/^\{"port"/)) as { port: number };
  // Warm the paths the slow sockets and the measurements take, then take the baseline.
  for (let i = 0; i < 50; i++) await (await fetch(`http://127.0.0.1:${port}/warm${i}`)).text();
  await memory(port);
  const before = await memory(port);

  const sockets: Socket[] = [];
  t.after(() => {
    for (const socket of sockets) socket.destroy();
  });
  await Promise.all(
    Array.from({ length: SLOW_SOCKETS }, () => {
      return new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write('GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: ');
          resolve();
        });
        socket.on('error', reject);
        sockets.push(socket);
      });
    }),
  );
  const opened = performance.now();

  for (let i = 0; i < 20; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/ok${i}`);
    assert.equal(await response.text(), `hi /ok${i}`);
  }
  let during = await memory(port);
  while (during.connections < SLOW_SOCKETS) during = await memory(port);
  // The measurement must see every slow socket still open, or it proves nothing.
  const stillOpen = sockets.filter((socket) => !socket.closed).length;
  assert.equal(stillOpen, SLOW_SOCKETS, 'the header timeout struck before the measurement');

  const heapGrowth = during.heapUsed + during.external - (before.heapUsed + before.external);
  const rssGrowth = during.rss - before.rss;
  t.diagnostic(
    `server with ${SLOW_SOCKETS} slow sockets: heap+external +${mib(heapGrowth)} MiB, rss +${mib(rssGrowth)} MiB`,
  );
  // About 2 KiB a connection (its object, socket handle and the partial head).
  assert.ok(heapGrowth < 4 * 1024 * 1024, `heap+external grew ${mib(heapGrowth)} MiB`);
  assert.ok(rssGrowth < 12 * 1024 * 1024, `rss grew ${mib(rssGrowth)} MiB`);

  await Promise.all(
    sockets.map((socket) => (socket.closed ? null : new Promise((r) => socket.once('close', r)))),
  );
  const seconds = (performance.now() - opened) / 1000;
  // Each is cut by its own header timer (Node's http sweeps every 30 s).
  assert.ok(seconds < HEADER_TIMEOUT + 10, `the last slow socket was cut after ${seconds} s`);
  const after = await memory(port);
  // What is left: the measuring request and the keep-alive connections fetch pooled.
  assert.ok(after.connections <= 3, `${after.connections} connections left`);
});
