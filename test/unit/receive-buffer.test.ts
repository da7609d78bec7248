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

test('an announced length is not allocated ahead of the bytes: growth follows them, then takes exactly it', () => {
  const announced = 10 * 1024 * 1024;
  const buffer = new ReceiveBuffer();
  buffer.append(Buffer.alloc(8, 1));
  buffer.expect(announced);
  buffer.append(Buffer.alloc(8, 2));
  assert.ok(buffer.capacity <= 1024, `16 bytes of a 10 MiB packet took ${buffer.capacity}`);
  // Growth by doubling: a bounded number of reallocations, linear copying.
  let reallocations = 0;
  let capacity = buffer.capacity;
  const chunk = Buffer.alloc(64 * 1024, 3);
  while (buffer.length < announced) {
    buffer.append(chunk.subarray(0, Math.min(chunk.length, announced - buffer.length)));
    assert.ok(buffer.capacity <= Math.max(4 * buffer.length, 1024), 'at most 4x what arrived');
    if (buffer.capacity !== capacity) reallocations++;
    capacity = buffer.capacity;
  }
  assert.ok(reallocations <= 16, `${reallocations} reallocations`);
  assert.equal(buffer.capacity, announced, 'the last growth is exactly the packet');
  const packet = buffer.view();
  assert.equal(packet.length, announced);
  assert.deepEqual([packet[0], packet[8], packet[16], packet[announced - 1]], [1, 2, 3, 3]);
});

test('bytes past the announced length still fit (paused input holds the packets after it)', () => {
  const buffer = new ReceiveBuffer();
  buffer.expect(600);
  buffer.append(Buffer.alloc(500, 1));
  buffer.append(Buffer.alloc(500, 2));
  assert.equal(buffer.length, 1000);
  assert.equal(buffer.view()[999], 2);
});
