import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReceiveBuffer } from '../../src/connection/receive-buffer.js';

test('appends, views and consumes bytes in order', () => {
  const buffer = new ReceiveBuffer();
  buffer.append(Buffer.from('hello '));
  buffer.append(Buffer.from('xxworld'), 2);
  assert.equal(buffer.view().toString(), 'hello world');
  buffer.consume(6);
  assert.equal(buffer.view().toString(), 'world');
  buffer.consume(5);
  assert.equal(buffer.length, 0);
});

test('never overwrites bytes of a view handed out earlier', () => {
  const buffer = new ReceiveBuffer();
  buffer.append(Buffer.from('first-packet'));
  const kept = buffer.view().subarray(0, 5);
  buffer.consume(12);
  buffer.append(Buffer.from('second'));
  buffer.append(Buffer.from('-and-more-bytes-to-grow'));
  assert.equal(kept.toString(), 'first');
  assert.equal(buffer.view().toString(), 'second-and-more-bytes-to-grow');
});

test('reserve sizes the storage once for an announced length', () => {
  const buffer = new ReceiveBuffer();
  buffer.append(Buffer.alloc(10, 1));
  buffer.reserve(1000);
  const before = buffer.view();
  buffer.append(Buffer.alloc(990, 2));
  // Same storage: the view taken before the appends starts at the same memory.
  assert.equal(buffer.view().buffer, before.buffer);
  assert.equal(buffer.length, 1000);
});
