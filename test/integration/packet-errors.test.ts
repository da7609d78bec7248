// `packet_err` in the status table: every input a codec or a size limit
// rejects is counted once, whatever the codec, and the process goes on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statistics } from '../../src/index.js';
import { listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

test('a malformed frame and a malformed HTTP request each count one packet error', async (t) => {
  const frame = await listenWorker(t, 'frame://127.0.0.1:0');
  const http = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection) => connection.send('ok');
  });
  const before = statistics.packetErr;

  const badFrame = await TestClient.connect(frame.port);
  t.after(() => badFrame.destroy());
  badFrame.write(Buffer.from([0, 0, 0, 1])); // a length below the 4-byte header
  await badFrame.closed();
  assert.equal(statistics.packetErr, before + 1);

  const badRequest = await TestClient.connect(http.port);
  t.after(() => badRequest.destroy());
  badRequest.write('GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
  await badRequest.closed();
  assert.equal(statistics.packetErr, before + 2);

  // The good request after them is served and counts nothing.
  const good = await TestClient.connect(http.port);
  t.after(() => good.destroy());
  good.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.match(await good.readLine(), /^HTTP\/1\.1 200/);
  assert.equal(statistics.packetErr, before + 2);
});
