// `Worker.execArgv`: a worker's own Node/V8 flags reach its processes only,
// after the master's, and again when a reload forks replacements.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { until } from '../../helpers/until.js';

const APP = `
Worker.stopTimeout = 1;
const { appendFileSync } = process.getBuiltinModule('node:fs');
const report = (w) =>
  appendFileSync(process.env.ARGV_FILE, JSON.stringify({ name: w.name, argv: process.execArgv }) + '\\n');
const small = new Worker();
small.name = 'small';
small.execArgv = ['--max-semi-space-size=1', '--stack-size=900'];
small.onWorkerStart = report;
const plain = new Worker();
plain.name = 'plain';
plain.onWorkerStart = report;
`;

test("a worker's execArgv reaches its own processes, also after a reload, and no other worker's", {
  timeout: 120_000,
}, async (t) => {
  const app = managedApp(t, APP);
  const file = `${app.dir}/argv.jsonl`;
  type Line = { name: string; argv: string[] };
  const lines = (): Line[] => {
    try {
      return readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Line);
    } catch {
      return [];
    }
  };
  assert.equal((await app.cli(['start', '-d'], { ARGV_FILE: file })).code, 0);
  await until(() => lines().length === 2, 'both workers to start');
  assert.equal((await app.cli(['reload'])).code, 0);
  await until(() => lines().length === 4, 'both workers to be replaced by the reload');
  for (const line of lines()) {
    const own = line.argv.filter(
      (flag) => flag === '--max-semi-space-size=1' || flag === '--stack-size=900',
    );
    if (line.name === 'small') {
      assert.deepEqual(own, ['--max-semi-space-size=1', '--stack-size=900'], JSON.stringify(line));
      // After the master's own flags (tsx's loader and the start-failure report stay first).
      assert.ok(line.argv.indexOf('--max-semi-space-size=1') > line.argv.indexOf('--import'));
    } else {
      assert.deepEqual(own, [], JSON.stringify(line));
    }
  }
  assert.equal((await app.cli(['stop'])).code, 0);
});
