import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unmask } from '../../../src/protocols/websocket/mask.js';

/** The definition of §5.3, one byte at a time. */
function reference(payload: Uint8Array, key: Uint8Array): Buffer {
  return Buffer.from(payload.map((byte, i) => byte ^ (key[i % 4] as number)));
}

describe('unmask (RFC 6455 §5.3)', () => {
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  // Lengths around the switch to the word loop, and payloads starting at every
  // alignment, as they do inside frames and the shared read buffer.
  const lengths = [0, 1, 2, 3, 4, 5, 125, 126, 255, 256, 257, 258, 259, 4096, 4097, 65_539];

  for (const length of lengths) {
    test(`${length} bytes at every alignment equal the byte-by-byte definition`, () => {
      for (let offset = 0; offset < 8; offset++) {
        const backing = Buffer.alloc(offset + length + 8, 0xee);
        const payload = backing.subarray(offset, offset + length);
        for (let i = 0; i < length; i++) payload[i] = (i * 131 + offset) & 0xff;
        const expected = reference(payload, key);
        unmask(payload, key, 0);
        assert.deepEqual(Buffer.from(payload), expected, `offset ${offset}`);
        // Bytes around the payload are untouched.
        assert.ok(backing.subarray(0, offset).every((byte) => byte === 0xee));
        assert.ok(backing.subarray(offset + length).every((byte) => byte === 0xee));
      }
    });
  }

  test('the key may sit anywhere in its buffer, and masking twice restores the payload', () => {
    const frame = Buffer.alloc(3 + 4 + 1000);
    key.copy(frame, 3);
    const payload = frame.subarray(7);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const original = Buffer.from(payload);
    unmask(payload, frame, 3);
    assert.deepEqual(Buffer.from(payload), reference(original, key));
    unmask(payload, frame, 3);
    assert.deepEqual(Buffer.from(payload), original);
  });
});
