import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAlive } from '../../../src/process/pid-file.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';

test('start with invalid options fails with one WM_ERR_INVALID_OPTION naming each, before writing or forking anything', {
  timeout: 60_000,
}, async (t) => {
  const app = managedApp(
    t,
    `
Worker.stopTimeout = -1;
Worker.fileMonitor = [${JSON.stringify('/nonexistent/monitored')}];
const a = new Worker(); a.name = 'a'; a.count = Number('x');
const b = new Worker(); b.name = 'b'; b.count = 0;
const c = new Worker(); c.name = 'c'; c.count = -2;
const d = new Worker(); d.name = 'd'; d.count = 1.5;
const e = new Worker(); e.name = 'e'; e.execArgv = '--max-semi-space-size=1';
const ok = new Worker(); ok.name = 'ok'; ok.count = 2;
`,
  );
  for (const args of [['start', '-d'], ['start'], ['restart', '-d']]) {
    const result = await app.cli(args);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}`);
    for (const expected of [
      'WM_ERR_INVALID_OPTION',
      'Worker.stopTimeout must be seconds >= 0, got -1',
      'Worker.fileMonitor: "/nonexistent/monitored" is not a folder',
      'worker "a": count must be a whole number >= 1, got NaN',
      'worker "b": count must be a whole number >= 1, got 0',
      'worker "c": count must be a whole number >= 1, got -2',
      'worker "d": count must be a whole number >= 1, got 1.5',
      'worker "e": execArgv must be a list of strings, got "--max-semi-space-size=1"',
    ]) {
      assert.ok(
        result.stderr.includes(expected),
        `${args.join(' ')}: "${expected}" in ${result.stderr}`,
      );
    }
    assert.doesNotMatch(result.stderr, /worker "ok"/);
    // No pid file, control socket, log or daemon output: nothing was started.
    assert.deepEqual(readdirSync(app.dir), ['start.ts']);
  }
});

test('a fileMonitor folder that is missing no longer leaves the pid file and control socket behind', {
  timeout: 60_000,
}, async (t) => {
  const app = managedApp(t, `Worker.fileMonitor = ['/nonexistent/src'];\nnew Worker();\n`);
  const result = await app.cli(['start']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /WM_ERR_INVALID_OPTION/);
  assert.equal(existsSync(app.pidFile), false);
  assert.equal(existsSync(app.pidFile.replace(/\.pid$/, '.sock')), false);
});

test('restart with invalid options leaves the running app alone', {
  timeout: 60_000,
}, async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `const w = new Worker('text://127.0.0.1:' + PORT);\nw.count = Number(process.env.COUNT ?? 1);\n`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const restart = await app.cli(['restart', '-d'], { PORT: String(port), COUNT: 'many' });
  assert.equal(restart.code, 1);
  assert.match(restart.stderr, /count must be a whole number >= 1, got NaN/);
  assert.ok(isAlive(master));
  assert.equal((await app.status()).children.length, 1);
  assert.equal((await app.cli(['stop'])).code, 0);
});

/**
 * A start file that keeps the default pid file, control socket and log
 * places, run with its own TMPDIR; the master is tracked for clean-up.
 */
function appWithDefaultPaths(t: Parameters<typeof managedApp>[0]) {
  const app = managedApp(t, 'new Worker();\n');
  writeFileSync(
    app.startFile,
    readFileSync(app.startFile, 'utf8')
      .split('\n')
      .filter((line) => !/^Worker\.(pidFile|logFile) =/.test(line))
      .join('\n'),
  );
  const temp = mkdtempSync(join(tmpdir(), 'wm-tmpdir-'));
  t.after(() => rmSync(temp, { recursive: true, force: true }));
  const runtimeDir = join(temp, `workerman-ts-${process.getuid?.()}`);
  const cli = async (args: string[]) => {
    const result = await app.cli(args, { TMPDIR: temp });
    const pidFile = existsSync(runtimeDir)
      ? readdirSync(runtimeDir).find((name) => name.endsWith('.pid'))
      : undefined;
    if (pidFile) app.track(Number.parseInt(readFileSync(join(runtimeDir, pidFile), 'utf8'), 10));
    return result;
  };
  return { runtimeDir, cli };
}

test('by default the pid file, control socket and log live in a folder of our own, mode 0700, in the temp directory', {
  timeout: 60_000,
}, async (t) => {
  const { runtimeDir, cli } = appWithDefaultPaths(t);
  const started = await cli(['start', '-d']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(statSync(runtimeDir).mode & 0o777, 0o700);
  const names = readdirSync(runtimeDir).sort();
  assert.deepEqual(
    names.map((name) => name.replace(/^start\.ts-[0-9a-f]{10}\./, '*.')),
    ['*.log', '*.pid', '*.sock'],
  );
  assert.equal((await cli(['status'])).code, 0);
  assert.equal((await cli(['stop'])).code, 0);
});

for (const [what, plant] of [
  [
    'open to others (mode 0777)',
    (dir: string) => {
      mkdirSync(dir);
      chmodSync(dir, 0o777);
    },
  ],
  ['a symlink', (dir: string) => symlinkSync(mkdtempSync(`${dir}-target-`), dir)],
  [
    "another user's (when the tests run as root)",
    (dir: string) => {
      mkdirSync(dir, { mode: 0o700 });
      chownSync(dir, 65534, 65534);
    },
  ],
] as const) {
  test(`a default folder that is ${what} is refused with WM_ERR_UNSAFE_PATH, by start and by the other commands`, {
    timeout: 60_000,
    skip: what.includes('root') && process.getuid?.() !== 0,
  }, async (t) => {
    const { runtimeDir, cli } = appWithDefaultPaths(t);
    plant(runtimeDir);
    // What someone else may have put there must not be trusted.
    for (const args of [['start', '-d'], ['status'], ['stop']]) {
      const result = await cli(args);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}`);
      assert.match(result.stderr, /WM_ERR_UNSAFE_PATH/, args.join(' '));
      assert.ok(result.stderr.includes(runtimeDir), result.stderr);
    }
    assert.deepEqual(readdirSync(runtimeDir), []);
  });
}

test('the control socket path is checked against the unix socket limit before anything starts', {
  timeout: 60_000,
}, async (t) => {
  const app = managedApp(t, 'new Worker();\n');
  const deep = join(app.dir, 'd'.repeat(60), 'e'.repeat(60));
  mkdirSync(deep, { recursive: true });
  writeFileSync(
    app.startFile,
    readFileSync(app.startFile, 'utf8').replace(
      /^Worker\.pidFile = .*$/m,
      `Worker.pidFile = ${JSON.stringify(join(deep, 'app.pid'))};`,
    ),
  );
  const result = await app.cli(['start', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /control socket path .* is longer than \d+ bytes/);
  assert.deepEqual(readdirSync(deep), []);
});
