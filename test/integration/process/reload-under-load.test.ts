import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { textLoad } from '../../helpers/load-client.js';
import { managedApp } from '../../helpers/managed-app.js';
import { keeperWorkerSource, pidsOf, reloadRounds } from '../../helpers/reload-rounds.js';
import { freePort } from '../../helpers/start-file.js';

const RELOADS = 6;

function appBody(dir: string): string {
  return `
Worker.stopTimeout = 1;
const echo = new Worker('text://127.0.0.1:' + PORT);
echo.name = 'echo';
echo.count = 2;
echo.onMessage = (connection, line) => { connection.send(line); };
${keeperWorkerSource(`${dir}/reloads.txt`)}`;
}

// Graceful reload loses nothing. A plain reload closes the old child's
// connections at once, as the origin does: a client whose request was still
// on the wire sees a clean close without a reply (counted, never a refusal
// or a reset); apps that cannot afford that use `reload -g`.
for (const [mode, args, long, lossless] of [
  ['reload -g, short and long-lived connections', ['reload', '-g'], 3, true],
  ['reload, short connections', ['reload'], 0, false],
] as const) {
  // Work bounded by count (RELOADS rounds, the load capped in textLoad); the
  // budget is generous for a busy machine, and the load ends with the test.
  test(`${RELOADS}× ${mode} under continuous traffic`, { timeout: 300_000 }, async (t) => {
    const port = await freePort();
    const app = managedApp(t, '');
    // The body needs the directory, known only now.
    const { writeFileSync } = await import('node:fs');
    const source = readFileSync(app.startFile, 'utf8').replace(
      'Worker.runAll();',
      `${appBody(app.dir)}\nWorker.runAll();`,
    );
    writeFileSync(app.startFile, source);

    const started = await app.cli(['start', '-d'], { PORT: String(port) });
    assert.equal(started.code, 0, started.stderr);
    const keepers = pidsOf(await app.status(), 'keeper');
    assert.equal(keepers.length, 1);

    const load = textLoad(port, 4, long);
    t.after(() => load.stop());
    const report = await reloadRounds(app, {
      args,
      worker: 'echo',
      keeper: 'keeper',
      rounds: RELOADS,
      count: 2,
    });
    const result = await load.stop();
    assert.ok(result.ok > 100, `traffic flowed: ${JSON.stringify(result)}`);
    assert.deepEqual(
      { failed: lossless ? result.failed : 0, refused: result.refused, reset: result.reset },
      { failed: 0, refused: 0, reset: 0 },
      JSON.stringify(result),
    );
    t.diagnostic(JSON.stringify({ ...result, errors: undefined }));
    assert.equal(readFileSync(`${app.dir}/reloads.txt`, 'utf8'), 'reloaded\n'.repeat(RELOADS));
    assert.deepEqual(report.exitStatus.echo, { '0': RELOADS * 2 });
    assert.equal((await app.cli(['stop'])).code, 0);
  });
}
