// The pond's rules without a network: the token bucket at its edges (with a
// clock the test moves) and the message checks of examples/tadpole.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BOUNDS, parseClientMessage } from '../../../examples/tadpole/messages.js';
import { TokenBucket } from '../../../examples/tadpole/rate-limit.js';

test('a token bucket gives exactly its burst at once, then its rate', () => {
  const bucket = new TokenBucket(20, 20, 0);
  let granted = 0;
  for (let i = 0; i < 200; i++) if (bucket.take(0)) granted++;
  assert.equal(granted, 20, 'the burst, and not one more');
  assert.equal(bucket.take(49), false, 'just under one token later: none');
  assert.equal(bucket.take(50), true, '1/20 s later: one');
  assert.equal(bucket.take(50), false);
  // A long pause refills up to the burst, never beyond.
  granted = 0;
  for (let i = 0; i < 100; i++) if (bucket.take(60_000)) granted++;
  assert.equal(granted, 20);
  // A clock that goes back refills nothing.
  assert.equal(bucket.take(1_000), false);
});

test('a token bucket refuses a rate or burst that would lift the limit', () => {
  for (const [rate, burst] of [
    [Number.NaN, 5],
    [5, Number.NaN],
    [0, 5],
    [Number.POSITIVE_INFINITY, 5],
    [5, 0.5],
  ] as const) {
    assert.throws(() => new TokenBucket(rate, burst), RangeError, `${rate}/${burst}`);
  }
});

test('a token bucket with a burst bigger than its rate', () => {
  const bucket = new TokenBucket(1, 3, 0);
  assert.deepEqual(
    [0, 0, 0, 0].map(() => bucket.take(0)),
    [true, true, true, false],
  );
  assert.equal(bucket.take(999), false);
  assert.equal(bucket.take(1000), true);
});

test('updates: finite numbers, clamped ranges, wrapped angle, 1..24 character names', () => {
  const base = { type: 'update', x: 1, y: 2, angle: 0.5, momentum: 1, name: 'ann' };
  const parse = (fields: Record<string, unknown>) =>
    parseClientMessage(JSON.stringify({ ...base, ...fields }));
  assert.deepEqual(parse({}), base);
  assert.deepEqual(parse({ x: 10_001, y: -10_001, momentum: -1 }), {
    ...base,
    x: 10_000,
    y: -10_000,
    momentum: 0,
  });
  assert.equal(parse({ x: 10_000 })?.type, 'update');
  assert.equal(parse({ momentum: DEFAULT_BOUNDS.maxMomentum + 1 })?.type, 'update');
  assert.equal((parse({ momentum: 99 }) as { momentum: number }).momentum, 5);
  assert.equal((parse({ angle: Math.PI * 2 + 1 }) as { angle: number }).angle, 1);
  assert.equal(
    parseClientMessage('{"type":"update","x":1e999,"y":0,"angle":0,"momentum":0,"name":"a"}'),
    null,
  );
  for (const bad of [{ x: '1' }, { y: null }, { angle: true }, { momentum: [] }]) {
    assert.equal(parse(bad), null, JSON.stringify(bad));
  }
  assert.equal((parse({ name: 'x'.repeat(24) }) as { name: string }).name, 'x'.repeat(24));
  assert.equal(parse({ name: 'x'.repeat(25) }), null);
  assert.equal((parse({ name: ' \u0007bo\nb\u2028 ' }) as { name: string }).name, 'bob');
  for (const name of ['', '  ', '\u0000', 7, null]) assert.equal(parse({ name }), null);
});

test('chat bubbles: cut to 140 characters, controls blanked, empty ones dropped', () => {
  const bubble = (message: unknown) =>
    parseClientMessage(JSON.stringify({ type: 'message', message }));
  assert.deepEqual(bubble('hi'), { type: 'message', message: 'hi' });
  assert.deepEqual(bubble('🐸'.repeat(141)), { type: 'message', message: '🐸'.repeat(140) });
  assert.deepEqual(bubble('a\nb'), { type: 'message', message: 'a b' });
  assert.equal(bubble('   '), null);
  assert.equal(bubble(5), null);
});

test('anything else is dropped', () => {
  for (const frame of ['', 'null', '[]', '"update"', '{"type":"teleport"}', '{"type":"update"']) {
    assert.equal(parseClientMessage(frame), null, frame);
  }
  assert.equal(parseClientMessage(Buffer.from('{"type":"message","message":"hi"}')), null);
});
