import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { httpLoad } from '../../helpers/http-load.js';
import { managedApp } from '../../helpers/managed-app.js';
import { keeperWorkerSource, pidsOf, reloadRounds } from '../../helpers/reload-rounds.js';
import { freePort } from '../../helpers/start-file.js';
import { until } from '../../helpers/until.js';

const RELOADS = 6;

function appBody(dir: string): string {
  return `
Worker.stopTimeout = 3;
const web = new Worker('http://127.0.0.1:' + PORT);
web.name = 'web';
web.count = 2;
web.onMessage = (connection, request) => {
  const body = process.pid + ' ' + request.path();
  // Some answers come later, so a reload finds requests with the app.
  if (request.path().startsWith('/slow/')) setTimeout(() => connection.send(body), 15);
  else connection.send(body);
};
${keeperWorkerSource(`${dir}/reloads.txt`)}`;
}

// Keep-alive clients (Node's http.Agent and undici's fetch) reuse their
// connections across reloads and retry nothing: every request must be
// answered. The old child answers what it has received with
// `Connection: close`, so the clients move to the new children.
for (const [mode, args] of [
  ['reload', ['reload']],
  ['reload -g', ['reload', '-g']],
] as const) {
  test(`${RELOADS}× ${mode} under HTTP keep-alive and short-connection traffic loses no request`, {
    // Work bounded by count; the budget is generous for a busy machine.
    timeout: 300_000,
  }, async (t) => {
    const port = await freePort();
    const app = managedApp(t, '');
    writeFileSync(
      app.startFile,
      readFileSync(app.startFile, 'utf8').replace(
        'Worker.runAll();',
        `${appBody(app.dir)}\nWorker.runAll();`,
      ),
    );
    const started = await app.cli(['start', '-d'], { PORT: String(port) });
    assert.equal(started.code, 0, started.stderr);
    const keepers = pidsOf(await app.status(), 'keeper');
    assert.equal(keepers.length, 1);

    const load = httpLoad(port, { agent: 3, fetch: 3, short: 2 });
    t.after(() => load.stop());
    const report = await reloadRounds(app, {
      args,
      worker: 'web',
      keeper: 'keeper',
      rounds: RELOADS,
      count: 2,
      beforeEach: async () => {
        const okBefore = load.result.ok;
        // Traffic is flowing on both children before each reload.
        await until(() => load.result.ok >= okBefore + 50, '50 more answers', 60_000);
      },
    });
    const result = await load.stop();
    t.diagnostic(JSON.stringify({ ...result, errors: undefined }));
    assert.deepEqual(
      { failed: result.failed, refused: result.refused, reset: result.reset },
      { failed: 0, refused: 0, reset: 0 },
      JSON.stringify(result),
    );
    assert.ok(result.ok > 1000, `traffic flowed: ${result.ok}`);
    // The keep-alive clients were told to move on: answers with Connection: close.
    assert.ok(result.closeAnswers >= RELOADS, `close answers: ${result.closeAnswers}`);
    assert.equal(readFileSync(`${app.dir}/reloads.txt`, 'utf8'), 'reloaded\n'.repeat(RELOADS));
    assert.deepEqual(report.exitStatus.web, { '0': RELOADS * 2 });
    assert.equal((await app.cli(['stop'])).code, 0);
  });
}
