import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

const FAILURES_PER_CLIENT = 300;

test('clients that make onMessage throw on every message get one full stack in the log and a count of the rest', {
  timeout: 90_000,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
// Long enough that every failure of this test falls in one interval.
Worker.failureLogInterval = 3600;
const w = new Worker('text://127.0.0.1:' + PORT);
w.name = 'fragile';
w.onMessage = (connection, line) => {
  if (line === 'ping') connection.send('pong');
  else throw new Error('cannot parse ' + 'input');
};
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const clients = await Promise.all([TestClient.connect(port), TestClient.connect(port)]);
  t.after(() => {
    for (const client of clients) client.destroy();
  });
  for (const client of clients) client.write('bad\n'.repeat(FAILURES_PER_CLIENT));
  // Each connection's lines are handled in order: its pong comes after its failures.
  for (const client of clients) {
    client.write('ping\n');
    assert.equal(await client.readLine(), 'pong');
  }
  assert.equal((await app.cli(['stop'])).code, 0);

  const log = readFileSync(`${app.dir}/app.log`, 'utf8');
  const full = log.match(/onMessage failed on .*: Error: cannot parse input\n\s+at /g) ?? [];
  assert.equal(full.length, 1, log.slice(0, 2000));
  const counted = [
    ...log.matchAll(/onMessage failed (\d+) more time\(s\) with the same error, not logged/g),
  ].reduce((sum, match) => sum + Number(match[1]), 0);
  assert.equal(counted, 2 * FAILURES_PER_CLIENT - 1);
  // The stop is logged after the count: nothing was lost on the way out.
  assert.match(log, /not logged[\s\S]*worker\[fragile:\d+\] exit[\s\S]*pid:\d+ stopped\n$/);
});
