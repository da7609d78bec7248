import assert from 'node:assert/strict';
import { afterEach, type TestContext, test } from 'node:test';
import {
  failureLogInterval,
  flushFailureLog,
  logCallbackFailure,
  setFailureLogInterval,
} from '../../src/failure-log.js';
import { setLogSink } from '../../src/log.js';

const defaultInterval = failureLogInterval();
afterEach(() => {
  flushFailureLog();
  setFailureLogInterval(defaultInterval);
});

function capture(t: TestContext): string[] {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  t.after(() => {
    setLogSink(previous);
  });
  return lines;
}

/** The same error, thrown from the same place each time. */
function fail(message: string): Error {
  return new Error(message);
}

test('identical failures within the interval: the first in full, the rest counted in one line', (t) => {
  const lines = capture(t);
  setFailureLogInterval(3600);
  for (let i = 0; i < 500; i++) logCallbackFailure('onMessage', fail('bad input'), ` on #${i}`);
  assert.equal(lines.length, 1);
  assert.match(lines[0] ?? '', /onMessage failed on #0: Error: bad input\n\s+at fail/);
  flushFailureLog();
  assert.equal(lines.length, 2);
  assert.match(
    lines[1] ?? '',
    /onMessage failed 499 more time\(s\) with the same error, not logged \(Worker\.failureLogInterval 3600 s\): bad input; the last on #499$/,
  );
});

test('different messages, callbacks or places are different kinds, each logged once', (t) => {
  const lines = capture(t);
  setFailureLogInterval(3600);
  for (let i = 0; i < 3; i++) {
    logCallbackFailure('onMessage', fail('bad input'), '');
    logCallbackFailure('onMessage', fail('other input'), '');
    logCallbackFailure('onClose', fail('bad input'), '');
    logCallbackFailure('onMessage', new Error('bad input'), '');
  }
  assert.equal(lines.length, 4);
});

test('failureLogInterval 0 logs every failure', (t) => {
  const lines = capture(t);
  setFailureLogInterval(0);
  for (let i = 0; i < 5; i++) logCallbackFailure('onMessage', fail('bad input'), '');
  flushFailureLog();
  assert.equal(lines.length, 5);
});

test('a failure after its interval is over is logged in full again, after the count of the last interval', async (t) => {
  const lines = capture(t);
  setFailureLogInterval(0.05);
  logCallbackFailure('onMessage', fail('bad input'), '');
  logCallbackFailure('onMessage', fail('bad input'), '');
  // Waits for the interval to pass (no assertion on how long it took).
  await new Promise((resolve) => setTimeout(resolve, 100));
  logCallbackFailure('onMessage', fail('bad input'), '');
  assert.equal(lines.length, 3, lines.join('\n---\n'));
  assert.match(lines[1] ?? '', /failed 1 more time\(s\)/);
  assert.match(lines[2] ?? '', /onMessage failed: Error: bad input\n/);
});
