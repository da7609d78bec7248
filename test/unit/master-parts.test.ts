import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingReplies } from '../../src/process/pending-replies.js';
import {
  type CrashHistory,
  MAX_BACKOFF_MS,
  nextRestartDelay,
  QUICK_CRASH_MS,
} from '../../src/process/restart-backoff.js';

test('restart backoff: quick crashes double from 200 ms up to the ceiling; a crash long after ready restarts at once', () => {
  const history: CrashHistory = { startedAt: 0, quickCrashes: 0 };
  const delays = Array.from({ length: 9 }, () => nextRestartDelay(history, 50_000));
  assert.deepEqual(delays, [
    200,
    400,
    800,
    1600,
    3200,
    6400,
    MAX_BACKOFF_MS,
    MAX_BACKOFF_MS,
    MAX_BACKOFF_MS,
  ]);
  history.startedAt = 50_000;
  assert.equal(
    nextRestartDelay(history, 50_000 + QUICK_CRASH_MS - 1),
    MAX_BACKOFF_MS,
    'still quick',
  );
  assert.equal(nextRestartDelay(history, 50_000 + QUICK_CRASH_MS), 0, 'ready long enough: at once');
  assert.equal(history.quickCrashes, 0);
});

test('pending replies: an answer settles its own request, a late one is dropped, a silent peer or a failed send gives null', async () => {
  const replies = new PendingReplies();
  const sent: number[] = [];
  const first = replies.request((seq) => sent.push(seq), 10_000);
  const second = replies.request((seq) => sent.push(seq), 10_000);
  assert.equal(replies.size, 2);
  replies.answer(sent[1] as number, 'second');
  replies.answer(sent[0] as number, 'first');
  assert.deepEqual(await Promise.all([first, second]), ['first', 'second']);
  const silent = replies.request((seq) => sent.push(seq), 20);
  assert.equal(await silent, null);
  replies.answer(sent[2] as number, 'too late');
  assert.equal(await replies.request((_seq, failed) => failed(), 10_000), null);
  assert.equal(replies.size, 0, 'nothing left waiting');
});
