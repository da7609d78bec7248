import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clock, DeadlineSweeper } from '../../src/timer/deadline-sweeper.js';

interface Entry {
  name: string;
  deadline: number;
}

test('a sweep expires each passed deadline once (reset to 0 first), leaves the others and 0 alone', () => {
  const expired: string[] = [];
  const sweeper = new DeadlineSweeper<Entry>((entry) => {
    assert.equal(entry.deadline, 0);
    expired.push(entry.name);
  });
  const due = { name: 'due', deadline: 100 };
  const later = { name: 'later', deadline: 200 };
  const none = { name: 'none', deadline: 0 };
  for (const entry of [due, later, none]) sweeper.add(entry);
  sweepAt(sweeper, 100);
  sweepAt(sweeper, 150);
  assert.deepEqual(expired, ['due']);
  sweepAt(sweeper, 200);
  assert.deepEqual(expired, ['due', 'later']);
  for (const entry of [due, later, none]) sweeper.delete(entry);
  assert.equal(sweeper.size, 0);
});

test('an expiry may delete entries (its own and others) while the sweep runs', () => {
  const expired: string[] = [];
  const entries: Entry[] = [
    { name: 'a', deadline: 1 },
    { name: 'b', deadline: 1 },
    { name: 'c', deadline: 1 },
  ];
  const sweeper = new DeadlineSweeper<Entry>((entry) => {
    expired.push(entry.name);
    sweeper.delete(entry);
    if (entry.name === 'a') sweeper.delete(entries[1] as Entry);
  });
  for (const entry of entries) sweeper.add(entry);
  sweepAt(sweeper, 5);
  assert.deepEqual(expired, ['a', 'c']);
  assert.equal(sweeper.size, 0);
});

test('the shared clock is a number of milliseconds close to Date.now()', () => {
  const sweeper = new DeadlineSweeper<Entry>(() => {});
  const entry = { name: 'x', deadline: 0 };
  sweeper.add(entry);
  assert.ok(Math.abs(clock.now - Date.now()) < 60_000);
  sweeper.delete(entry);
});

function sweepAt(sweeper: DeadlineSweeper<Entry>, now: number): void {
  sweeper.sweep(now);
}
