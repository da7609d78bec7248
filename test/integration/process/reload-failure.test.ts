import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { pidsOf } from '../../helpers/reload-rounds.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

const ECHO = `
const w = new Worker('text://127.0.0.1:' + PORT);
w.name = 'echo';
w.count = 2;
w.onMessage = (connection, line) => { connection.send(line); };
`;

// New code that only the children run (the CLI loads the same start file,
// and must still get as far as asking the master to reload).
for (const [what, breakage, expected] of [
  [
    'throws at the top of the start file',
    `import cluster from 'node:cluster';\nif (cluster.isWorker) throw new Error('DATABASE_URL is not set');\n`,
    /Error: DATABASE_URL is not set/,
  ],
  [
    'imports a module with a syntax error',
    `import cluster from 'node:cluster';\nif (cluster.isWorker) await import('./broken.ts');\n`,
    /broken\.ts/,
  ],
] as const) {
  test(`reload of code that ${what} exits 1 with the child's error; the old children keep serving`, {
    timeout: 90_000,
  }, async (t) => {
    const port = await freePort();
    const app = managedApp(t, ECHO);
    writeFileSync(`${app.dir}/broken.ts`, 'export const x: number = ;\n');
    // An ES module, so the start file may await at its top level.
    writeFileSync(`${app.dir}/package.json`, '{"type":"module"}\n');
    const started = await app.cli(['start', '-d'], { PORT: String(port) });
    assert.equal(started.code, 0, started.stderr);
    const before = pidsOf(await app.status(), 'echo');

    writeFileSync(app.startFile, `${breakage}${readFileSync(app.startFile, 'utf8')}`);
    const reload = await app.cli(['reload'], { PORT: String(port) });
    assert.equal(reload.code, 1, reload.stdout);
    assert.match(
      reload.stderr,
      /reload failed: 2 process\(es\) could not start the new code \(0 replaced\)/,
    );
    assert.match(reload.stderr, expected);
    assert.match(reload.stderr, /echo#0: worker process \d+ could not start: /);
    assert.match(reload.stderr, /the old process keeps serving/);

    assert.deepEqual(pidsOf(await app.status(), 'echo'), before);
    const client = await TestClient.connect(port);
    t.after(() => client.destroy());
    client.write('still here\n');
    assert.equal(await client.readLine(), 'still here');
    assert.match(
      readFileSync(`${app.dir}/app.log`, 'utf8'),
      /reload done: 0 process\(es\) replaced, 2 could not start/,
    );
    assert.equal((await app.cli(['stop'])).code, 0);
  });
}
