import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogFile } from '../../src/process/log-file.js';

function tempLog(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wm-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'app.log');
}

/** Keeps the writer's copies for stderr out of the test output. */
function quietStderr(t: { after(fn: () => void): void }): void {
  const write = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  t.after(() => {
    process.stderr.write = write;
  });
}

test('lines are written asynchronously, in one batch per turn, in order, and flush() waits for them', async (t) => {
  const path = tempLog(t);
  quietStderr(t);
  const file = new LogFile(path, 0, 1000);
  for (let i = 0; i < 100; i++) file.add(`line ${i}`);
  assert.equal(existsSync(path), false, 'nothing written while the caller runs');
  await file.flush();
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  assert.deepEqual(
    lines,
    Array.from({ length: 100 }, (_, i) => `line ${i}`),
  );
});

test('at most maxQueuedLines wait; the rest are dropped and counted in a line', async (t) => {
  const path = tempLog(t);
  quietStderr(t);
  const file = new LogFile(path, 0, 5);
  for (let i = 0; i < 20; i++) file.add(`line ${i}`);
  await file.flush();
  const lines = readFileSync(path, 'utf8').split('\n').slice(0, -1);
  assert.equal(lines.length, 6);
  assert.deepEqual(lines.slice(0, 5), ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  assert.match(
    lines[5] ?? '',
    /pid:\d+ 15 log line\(s\) dropped: more than Worker\.logQueueMaxLines \(5\) were waiting/,
  );
  // The queue takes lines again once written.
  file.add('after');
  await file.flush();
  assert.match(readFileSync(path, 'utf8'), /after\n$/);
});

test('flushSync writes what still waits (for process exit)', (t) => {
  const path = tempLog(t);
  quietStderr(t);
  const file = new LogFile(path, 0, 1000);
  file.add('last words');
  file.flushSync();
  assert.equal(readFileSync(path, 'utf8'), 'last words\n');
});

test('rotation: a line never goes into a file already past maxSize', async (t) => {
  const path = tempLog(t);
  quietStderr(t);
  const file = new LogFile(path, 50, 1000);
  for (let i = 0; i < 10; i++) file.add(`line ${i} ${'x'.repeat(10)}`);
  await file.flush();
  const rotated = readFileSync(`${path}.1`, 'utf8');
  const current = readFileSync(path, 'utf8');
  assert.ok(rotated.length > 50 && rotated.length <= 50 + 19, `${rotated.length}`);
  assert.ok(current.length <= 50 + 19, `${current.length}`);
  assert.match(current, /line 9 x+\n$/);
});
