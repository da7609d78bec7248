// A GatewayClient in a separate plain Node process: it reaches every
// gateway, and after close() the process ends by itself (close leaves no
// socket or timer running). With a wrong key it finds no gateway, says so,
// and still ends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';

const SCRIPT = fileURLToPath(new URL('../../fixtures/gateway-client-script.ts', import.meta.url));
const EXIT_BOUND_MS = 30_000;

/** Runs the script; resolves with its exit code and output, or kills it past the bound. */
function runScript(
  env: Record<string, string>,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), EXIT_BOUND_MS);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      // Let the pipes deliver what is left.
      setImmediate(() => resolve({ code, signal, stdout, stderr }));
    });
  });
}

test('a GatewayClient process sends, counts, closes and exits by itself; with a wrong key it finds no gateway and still exits', {
  timeout: 120_000,
}, async (t) => {
  const begun = Date.now();
  const app = await startCluster(t);
  t.diagnostic(`cluster started in ${Date.now() - begun} ms`);
  const clients = await Promise.all(
    Array.from({ length: 3 }, () => ClusterClient.connect(t, app.ports.GATEWAY_PORT)),
  );
  const env = { REGISTER_PORT: String(app.ports.REGISTER_PORT), MESSAGE: 'from outside' };

  let started = Date.now();
  const run = await runScript(env);
  t.diagnostic(`GatewayClient process ran ${Date.now() - started} ms`);
  assert.deepEqual(
    { code: run.code, signal: run.signal },
    { code: 0, signal: null },
    `exits by itself: ${run.stderr}`,
  );
  assert.deepEqual(JSON.parse(run.stdout), { count: clients.length, gateways: 2 });
  for (const client of clients) assert.deepEqual(await client.next(), { text: 'from outside' });

  started = Date.now();
  const wrong = await runScript({
    ...env,
    SECRET: 'not-the-secret',
    CONNECT_TIMEOUT: '2',
    MESSAGE: 'intruder',
  });
  assert.deepEqual(
    { code: wrong.code, signal: wrong.signal },
    { code: 0, signal: null },
    `exits by itself: ${wrong.stderr}`,
  );
  assert.deepEqual(JSON.parse(wrong.stdout), { count: 0, gateways: 0 });
  // Nothing of it reached a client: the next push is this marker.
  await clients[0]!.call('sendToAll', 'marker');
  for (const client of clients) assert.deepEqual(await client.next(), { text: 'marker' });
});
