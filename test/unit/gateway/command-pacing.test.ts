import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandPacing } from '../../../src/gateway/gateway/command-pacing.js';

const settings = () => ({ writeBatchRatio: 1, maxWriteBatchDelay: 50, maxWriteBatchBytes: 1000 });

test('the first round runs at once; the next waits as long as the last round took, times the ratio', () => {
  const s = settings();
  const pacing = new CommandPacing(s);
  assert.equal(pacing.waitAt(0), 0);
  pacing.ran(100, 104); // a round of 4 ms
  assert.equal(pacing.waitAt(104), 4);
  assert.equal(pacing.waitAt(107), 1);
  assert.equal(pacing.waitAt(107.5), 0); // under a timer's 1 ms: not waited
  assert.equal(pacing.waitAt(108), 0);
  assert.equal(pacing.waitAt(200), 0);
  s.writeBatchRatio = 2.5; // read live
  pacing.ran(200, 204);
  assert.equal(pacing.waitAt(204), 10);
});

test('a round of microseconds makes no wait: a timer could not wait less than 1 ms', () => {
  const pacing = new CommandPacing({ ...settings(), writeBatchRatio: 4 });
  pacing.ran(10, 10.2); // 0.8 ms of wait
  assert.equal(pacing.waitAt(10.2), 0);
  pacing.ran(20, 20.25); // exactly 1 ms
  assert.equal(pacing.waitAt(20.25), 1);
});

test('writeBatchRatio 0: never a wait', () => {
  const pacing = new CommandPacing({ ...settings(), writeBatchRatio: 0 });
  pacing.ran(0, 30);
  assert.equal(pacing.waitAt(30), 0);
});

test('maxWriteBatchDelay: the wait stops at the limit, exactly', () => {
  const pacing = new CommandPacing(settings());
  pacing.ran(0, 49);
  assert.equal(pacing.waitAt(49), 49);
  pacing.ran(100, 150);
  assert.equal(pacing.waitAt(150), 50);
  pacing.ran(200, 251);
  assert.equal(pacing.waitAt(251), 50);
});

test('maxWriteBatchBytes: commands gathered up to one byte below the limit wait; at the limit they go at once', () => {
  const pacing = new CommandPacing(settings());
  pacing.ran(0, 20);
  pacing.gathered(600);
  pacing.gathered(399);
  assert.equal(pacing.waitAt(20), 20);
  pacing.gathered(1);
  assert.equal(pacing.waitAt(20), 0);
  // A round took them: the count starts again.
  pacing.taken();
  pacing.ran(20, 40);
  pacing.gathered(999);
  assert.equal(pacing.waitAt(40), 20);
});
