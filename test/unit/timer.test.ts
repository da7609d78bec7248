import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flushFailureLog } from '../../src/failure-log.js';
import { ErrorCodes, setLogSink, Timer } from '../../src/index.js';

test('a one-shot timer runs once with its arguments after a fractional delay', async () => {
  const calls: [string, number][] = [];
  const started = performance.now();
  await new Promise<void>((resolve) => {
    Timer.add(
      0.02,
      (word: string, n: number) => {
        calls.push([word, n]);
        resolve();
      },
      ['hi', 7],
      false,
    );
  });
  assert.ok(performance.now() - started >= 15, 'not before its delay');
  assert.deepEqual(calls, [['hi', 7]]);
  assert.equal(Timer.count(), 0);
});

test('a persistent timer repeats until deleted; del reports whether it existed', async () => {
  let runs = 0;
  let id = 0;
  await new Promise<void>((resolve) => {
    id = Timer.add(0.005, () => {
      runs++;
      if (runs === 3) resolve();
    });
  });
  assert.equal(Timer.count(), 1);
  assert.equal(Timer.del(id), true);
  assert.equal(Timer.del(id), false);
  assert.equal(Timer.count(), 0);
  assert.equal(runs, 3);
});

test('delAll cancels every timer; a throwing callback is logged and its timer goes on', async () => {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  try {
    let runs = 0;
    await new Promise<void>((resolve) => {
      Timer.repeat(0.005, () => {
        runs++;
        if (runs === 2) resolve();
        throw new Error('tick failed');
      });
    });
    Timer.delay(10, () => {});
    assert.equal(Timer.count(), 2);
    Timer.delAll();
    assert.equal(Timer.count(), 0);
    // The second, identical failure is counted, and the count logged (Worker.failureLogInterval).
    flushFailureLog();
    assert.ok(lines.length >= 2 && lines.every((l) => l.includes('tick failed')));
    assert.match(lines[1] ?? '', /failed 1 more time\(s\) with the same error/);
  } finally {
    setLogSink(previous);
  }
});

test('a negative or non-finite interval is refused', () => {
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => Timer.add(bad, () => {}), { code: ErrorCodes.INVALID_OPTION });
  }
});

test('sleep resolves after the given seconds', async () => {
  const started = performance.now();
  await Timer.sleep(0.01);
  assert.ok(performance.now() - started >= 8);
});
