import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAlive } from '../../../src/process/pid-file.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { until } from '../../helpers/until.js';

/** Live processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid && fields[0] !== 'Z') found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

test('a child that crashes while its reload replacement is starting is not restarted as well: one child per place', {
  timeout: 60_000,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const w = new Worker('text://127.0.0.1:' + PORT);
w.name = 'solo';
w.onWorkerStart = async () => {
  const { existsSync, writeFileSync } = await import('node:fs');
  const marker = process.env.MARKER ?? '';
  if (!existsSync(marker)) {
    writeFileSync(marker, '');
    return;
  }
  // A later generation: say so, then wait until the test lets it be ready (bounded).
  writeFileSync(marker + '.starting', String(process.pid));
  const until = Date.now() + 30_000;
  while (!existsSync(marker + '.go') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
};
w.onMessage = (connection, line) => { connection.send(line); };
`,
  );
  const marker = `${app.dir}/generation`;
  const started = await app.cli(['start', '-d'], { PORT: String(port), MARKER: marker });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const [old] = (await app.status()).children.map((c) => c.pid);
  assert.ok(old);

  const reloading = app.cli(['reload']);
  await until(() => existsSync(`${marker}.starting`), 'the replacement to start');
  process.kill(old, 'SIGKILL');
  await until(() => !isAlive(old), 'the old child to crash');
  writeFileSync(`${marker}.go`, '');
  const reloaded = await reloading;
  assert.equal(reloaded.code, 0, reloaded.stderr);

  const log = readFileSync(`${app.dir}/app.log`, 'utf8');
  assert.match(log, /worker\[solo:\d+\] exited with status SIGKILL; its replacement is starting/);
  assert.doesNotMatch(log, /restarting/);
  const replacement = Number(readFileSync(`${marker}.starting`, 'utf8'));
  const report = await app.status();
  assert.deepEqual(
    report.children.map((c) => c.pid),
    [replacement],
  );
  assert.deepEqual(report.exitStatus.solo, { SIGKILL: 1 });
  assert.deepEqual(childrenOf(master), [replacement]);
  assert.equal((await app.cli(['stop'])).code, 0);
});
