import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runStartFile } from '../helpers/start-file.js';
import { TestClient } from '../helpers/test-client.js';

const app = fileURLToPath(new URL('../fixtures/run-all-app.ts', import.meta.url));

test('`node app.js start` runs in the foreground, survives a throwing callback and stops on Ctrl-C', async (t) => {
  const { child, waitForLine } = runStartFile(t, app);
  const ports = JSON.parse(await waitForLine(/^\{/)) as { main: number; inner: number };

  const main = await TestClient.connect(ports.main);
  const inner = await TestClient.connect(ports.inner);
  t.after(() => {
    main.destroy();
    inner.destroy();
  });
  main.write('crash\nhello\n');
  assert.equal(await main.readLine(), 'main:hello');
  inner.write('hi\n');
  assert.equal(await inner.readLine(), 'inner:hi');
  await waitForLine(/onMessage failed .*boom in onMessage/);

  // Ctrl-C in a terminal signals the whole foreground process group.
  const exited = once(child, 'exit');
  process.kill(-(child.pid as number), 'SIGINT');
  await waitForLine(/^onWorkerStop ran$/);
  const [code] = await exited;
  assert.equal(code, 0);
  await main.closed();
});
