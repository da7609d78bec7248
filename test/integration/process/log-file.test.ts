import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';

const LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d pid:\d+ \S.*$/;

function app(maxSize: number): string {
  return `
Worker.logFileMaxSize = ${maxSize};
const w = new Worker('text://127.0.0.1:' + PORT);
w.name = 'echo';
w.count = 2;
w.onMessage = (connection, line) => { connection.send(line); };
`;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

/** start -d, reload, kill -9 of a child (and its replacement), stop. */
async function lifecycle(managed: ReturnType<typeof managedApp>, port: number): Promise<void> {
  const started = await managed.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  assert.equal((await managed.cli(['reload'])).code, 0);
  const victim = (await managed.status()).children[0]?.pid as number;
  process.kill(victim, 'SIGKILL');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const children = (await managed.status()).children;
    if (children.length === 2 && !children.some((c) => c.pid === victim)) break;
    assert.ok(Date.now() < deadline, 'the killed child was replaced');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal((await managed.cli(['stop'])).code, 0);
}

test('the log file has a timestamped line for start, reload, crash and stop, from the master and the children', async (t) => {
  const port = await freePort();
  const managed = managedApp(t, app(0));
  await lifecycle(managed, port);
  const log = lines(`${managed.dir}/app.log`);
  for (const line of log) assert.match(line, LINE);
  const text = log.join('\n');
  for (const event of [
    /workerman-ts \S+ started: 1 worker\(s\)/,
    /pid:\d+ reloading$/m,
    /reload done: 2 process\(es\) replaced/,
    /worker\[echo:\d+\] exited with status SIGKILL; restarting/,
    /pid:\d+ stopping$/m,
    /pid:\d+ stopped$/m,
    /worker\[echo:\d+\] exit$/m,
  ]) {
    assert.match(text, event);
  }
  assert.equal(existsSync(`${managed.dir}/app.log.1`), false, 'no rotation at logFileMaxSize 0');
});

test('past logFileMaxSize the log moves to .1 and a new one begins, with whole lines in both', async (t) => {
  const port = await freePort();
  const maxSize = 300;
  const managed = managedApp(t, app(maxSize));
  await lifecycle(managed, port);
  const current = `${managed.dir}/app.log`;
  const rotated = `${current}.1`;
  assert.ok(existsSync(rotated), 'rotated');
  const newest = lines(current);
  for (const line of [...lines(rotated), ...newest]) assert.match(line, LINE);
  // Rotation happens before a line is added to a file already past the limit.
  const longest = Math.max(...newest.map((line) => line.length + 1));
  assert.ok(statSync(current).size <= maxSize + longest, `${statSync(current).size} bytes`);
  assert.match(newest.join('\n'), /pid:\d+ stopped$/m, 'the newest lines are in the current file');
});
