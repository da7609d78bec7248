import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { describe, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { CloseCode, isValidCloseCode } from '../../../src/protocols/websocket/close-codes.js';
import {
  deflateMessage,
  inflateMessage,
} from '../../../src/protocols/websocket/deflate-transform.js';
import { Opcode } from '../../../src/protocols/websocket/frame-parser.js';
import { closePayload, writeFrame } from '../../../src/protocols/websocket/frame-writer.js';
import { Utf8Validator } from '../../../src/protocols/websocket/utf8-validator.js';
import { feed, type Outcome, serverParser, splits, withDeflate } from './feed.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Masks with a fixed key so fixtures are byte-exact (§5.3). */
function masked(opcode: number, payload: Buffer | string, fin = true, rsv = 0): Buffer {
  const body = Buffer.from(payload);
  const key = [0x37, 0xfa, 0x21, 0x3d];
  const length = body.length;
  const ext = length < 126 ? [] : length < 0x10000 ? [length >> 8, length & 0xff] : null;
  let header: Buffer;
  if (ext === null) {
    header = Buffer.alloc(10);
    header[1] = 0x80 | 127;
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
  } else {
    header = Buffer.from([0, 0x80 | Math.min(length, 126), ...ext]);
  }
  header[0] = (fin ? 0x80 : 0) | rsv | opcode;
  const out = Buffer.concat([header, Buffer.from(key), body]);
  const at = header.length + 4;
  for (let i = 0; i < length; i++) out[at + i] = (out[at + i] as number) ^ (key[i % 4] as number);
  return out;
}

/** Asserts the same outcome for the stream whole, cut at every byte, and byte by byte. */
function expectEverySplit(bytes: Buffer, expected: Outcome[], options = {}) {
  for (const chunks of splits(bytes)) {
    assert.deepEqual(feed(serverParser(options), chunks), expected, `${chunks.length} chunks`);
  }
}

describe('frame writer (RFC 6455 §5.7 examples, byte by byte)', () => {
  test('unmasked text "Hello"', () => {
    assert.deepEqual(writeFrame(Opcode.TEXT, 'Hello'), hex('81 05 48 65 6c 6c 6f'));
  });
  test('fragmented unmasked text "Hel" + "lo"', () => {
    assert.deepEqual(writeFrame(Opcode.TEXT, 'Hel', { fin: false }), hex('01 03 48 65 6c'));
    assert.deepEqual(writeFrame(Opcode.CONTINUATION, 'lo'), hex('80 02 6c 6f'));
  });
  test('ping "Hello"', () => {
    assert.deepEqual(writeFrame(Opcode.PING, 'Hello'), hex('89 05 48 65 6c 6c 6f'));
  });
  test('256 bytes binary uses the 16-bit length; 65536 bytes the 64-bit one', () => {
    assert.deepEqual(
      writeFrame(Opcode.BINARY, Buffer.alloc(256)).subarray(0, 4),
      hex('82 7e 01 00'),
    );
    assert.deepEqual(
      writeFrame(Opcode.BINARY, Buffer.alloc(65536)).subarray(0, 10),
      hex('82 7f 00 00 00 00 00 01 00 00'),
    );
    assert.deepEqual(writeFrame(Opcode.BINARY, Buffer.alloc(125)).subarray(0, 2), hex('82 7d'));
    assert.deepEqual(
      writeFrame(Opcode.BINARY, Buffer.alloc(126)).subarray(0, 4),
      hex('82 7e 00 7e'),
    );
    assert.deepEqual(
      writeFrame(Opcode.BINARY, Buffer.alloc(65535)).subarray(0, 4),
      hex('82 7e ff ff'),
    );
  });
  test('masked frames unmask to the payload and never touch the caller buffer', () => {
    const payload = Buffer.from('Hello');
    const frame = writeFrame(Opcode.TEXT, payload, { mask: true });
    assert.equal(frame[0], 0x81);
    assert.equal(frame[1], 0x85);
    assert.deepEqual(payload, Buffer.from('Hello'));
    assert.deepEqual(feed(serverParser(), [frame]), [{ message: 'Hello' }]);
  });
  test('close payload: code big-endian then the UTF-8 reason', () => {
    assert.deepEqual(closePayload(1000, 'ok'), hex('03 e8 6f 6b'));
    assert.deepEqual(closePayload(undefined), Buffer.alloc(0));
  });
});

describe('frame parser: framing (Autobahn 1.x)', () => {
  test('the RFC masked "Hello" example', () => {
    expectEverySplit(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'), [{ message: 'Hello' }]);
  });
  for (const size of [0, 1, 125, 126, 127, 65535, 65536]) {
    test(`binary of ${size} bytes round-trips through every length encoding`, () => {
      const payload = Buffer.alloc(size, 0xfe);
      const frame = masked(Opcode.BINARY, payload);
      const cuts =
        size > 200
          ? [
              [frame],
              [frame.subarray(0, 1), frame.subarray(1)],
              [frame.subarray(0, 9), frame.subarray(9)],
            ]
          : splits(frame);
      for (const chunks of cuts) {
        assert.deepEqual(feed(serverParser(), chunks), [{ message: payload }]);
      }
    });
  }
  test('several frames in one chunk are each delivered', () => {
    const stream = Buffer.concat([masked(1, 'a'), masked(2, 'b'), masked(1, '')]);
    expectEverySplit(stream, [{ message: 'a' }, { message: Buffer.from('b') }, { message: '' }]);
  });
});

describe('frame parser: pings and pongs (Autobahn 2.x)', () => {
  test('ping and pong payloads up to 125 bytes', () => {
    const body = Buffer.alloc(125, 0x61);
    expectEverySplit(Buffer.concat([masked(Opcode.PING, body), masked(Opcode.PONG, 'x')]), [
      { ping: body },
      { pong: Buffer.from('x') },
    ]);
  });
  test('a ping of 126 bytes is a protocol error, seen from the header', () => {
    const frame = masked(Opcode.PING, Buffer.alloc(126));
    assert.deepEqual(feed(serverParser(), [frame.subarray(0, 2)]), [{ error: 1002 }]);
  });
  test('a fragmented ping is a protocol error', () => {
    expectEverySplit(masked(Opcode.PING, 'x', false), [{ error: 1002 }]);
  });
});

describe('frame parser: reserved bits and opcodes (Autobahn 3.x, 4.x)', () => {
  for (const rsv of [0x40, 0x20, 0x10, 0x70]) {
    test(`RSV bits 0x${rsv.toString(16)} without an extension: 1002`, () => {
      expectEverySplit(masked(Opcode.TEXT, 'hi', true, rsv), [{ error: 1002 }]);
    });
  }
  test('RSV1 on a ping with permessage-deflate: 1002', () => {
    expectEverySplit(masked(Opcode.PING, 'hi', true, 0x40), [{ error: 1002 }], withDeflate);
  });
  for (const opcode of [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf]) {
    test(`reserved opcode ${opcode}: 1002 after the messages before it`, () => {
      const stream = Buffer.concat([masked(1, 'ok'), masked(opcode, 'x')]);
      expectEverySplit(stream, [{ message: 'ok' }, { error: 1002 }]);
    });
  }
  test('an unmasked client frame: 1002', () => {
    expectEverySplit(hex('81 05 48 65 6c 6c 6f'), [{ error: 1002 }]);
  });
  test('a 64-bit length with the top bit set: 1002', () => {
    expectEverySplit(hex('82 ff 80 00 00 00 00 00 00 01'), [{ error: 1002 }]);
  });
});

describe('frame parser: fragmentation (Autobahn 5.x)', () => {
  test('a text message in three fragments with a ping and a pong between them', () => {
    const stream = Buffer.concat([
      masked(Opcode.TEXT, 'fra', false),
      masked(Opcode.PING, 'p'),
      masked(Opcode.CONTINUATION, 'gme', false),
      masked(Opcode.PONG, 'q'),
      masked(Opcode.CONTINUATION, 'nts'),
    ]);
    expectEverySplit(stream, [
      { ping: Buffer.from('p') },
      { pong: Buffer.from('q') },
      { message: 'fragments' },
    ]);
  });
  test('empty fragments', () => {
    const stream = Buffer.concat([
      masked(Opcode.BINARY, '', false),
      masked(Opcode.CONTINUATION, '', false),
      masked(Opcode.CONTINUATION, ''),
    ]);
    expectEverySplit(stream, [{ message: Buffer.alloc(0) }]);
  });
  test('a continuation with nothing to continue: 1002', () => {
    expectEverySplit(masked(Opcode.CONTINUATION, 'x'), [{ error: 1002 }]);
  });
  test('a new text frame inside a fragmented message: 1002', () => {
    const stream = Buffer.concat([masked(Opcode.TEXT, 'a', false), masked(Opcode.TEXT, 'b')]);
    expectEverySplit(stream, [{ error: 1002 }]);
  });
});

describe('frame parser: UTF-8 handling (Autobahn 6.x)', () => {
  const euro = Buffer.from('€', 'utf8'); // e2 82 ac
  test('a code point split across fragments at each of its bytes', () => {
    for (let cut = 1; cut < euro.length; cut++) {
      const stream = Buffer.concat([
        masked(Opcode.TEXT, euro.subarray(0, cut), false),
        masked(Opcode.CONTINUATION, euro.subarray(cut)),
      ]);
      expectEverySplit(stream, [{ message: '€' }]);
    }
  });
  test('the 4-byte 𝄞 split into one fragment per byte', () => {
    const clef = Buffer.from('𝄞', 'utf8');
    const frames = [...clef].map((byte, i) =>
      masked(i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, Buffer.from([byte]), i === 3),
    );
    expectEverySplit(Buffer.concat(frames), [{ message: '𝄞' }]);
  });
  test('invalid UTF-8 in the first fragment fails before the message ends', () => {
    const stream = masked(Opcode.TEXT, hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80'), false);
    expectEverySplit(stream, [{ error: 1007 }]);
  });
  test('a text message ending inside a code point: 1007', () => {
    const stream = Buffer.concat([
      masked(Opcode.TEXT, euro.subarray(0, 1), false),
      masked(Opcode.CONTINUATION, euro.subarray(1, 2)),
    ]);
    expectEverySplit(stream, [{ error: 1007 }]);
  });
  for (const bad of ['c0 80', 'ed a0 80', 'f4 90 80 80', 'ff', 'e0 80 80', 'f8 88 80 80 80']) {
    test(`invalid sequence ${bad} in one frame: 1007`, () => {
      expectEverySplit(masked(Opcode.TEXT, hex(bad)), [{ error: 1007 }]);
    });
  }
  test('the validator agrees with isUtf8 on random bytes fed at every split', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.alloc(1 + (random() % 12));
      for (let i = 0; i < bytes.length; i++) {
        const r = random() % 4;
        bytes[i] =
          r === 0 ? random() % 0x80 : r === 1 ? 0x80 + (random() % 0x40) : 0xc0 + (random() % 0x40);
      }
      for (let cut = 0; cut <= bytes.length; cut++) {
        const validator = new Utf8Validator();
        const ok =
          validator.write(bytes, 0, cut) && validator.write(bytes, cut) && validator.complete;
        assert.equal(ok, isUtf8(bytes), bytes.toString('hex'));
      }
    }
  });
});

describe('frame parser: close handling (Autobahn 7.x)', () => {
  test('an empty close reports 1005; code and reason are read', () => {
    expectEverySplit(masked(Opcode.CLOSE, ''), [{ close: CloseCode.NO_STATUS, reason: '' }]);
    expectEverySplit(masked(Opcode.CLOSE, closePayload(1000, 'bye')), [
      { close: 1000, reason: 'bye' },
    ]);
    expectEverySplit(masked(Opcode.CLOSE, closePayload(4999, '')), [{ close: 4999, reason: '' }]);
  });
  test('a 1-byte close body: 1002', () => {
    expectEverySplit(masked(Opcode.CLOSE, hex('03')), [{ error: 1002 }]);
  });
  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
    test(`close code ${code} is invalid on the wire: 1002`, () => {
      expectEverySplit(masked(Opcode.CLOSE, closePayload(code)), [{ error: 1002 }]);
    });
  }
  test('a close reason that is not UTF-8: 1007', () => {
    expectEverySplit(
      masked(Opcode.CLOSE, Buffer.concat([closePayload(1000), hex('ce ba ed a0 80')])),
      [{ error: 1007 }],
    );
  });
  test('valid close codes (§7.4)', () => {
    const valid = [
      1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999,
    ];
    for (const code of valid) assert.equal(isValidCloseCode(code), true, String(code));
    for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000]) {
      assert.equal(isValidCloseCode(code), false, String(code));
    }
  });
});

describe('frame parser: payload limits (Autobahn 9.x, 1009)', () => {
  const limits = { maxMessageBytes: 1000, maxFrameBytes: 1000 + 8 };
  test('a frame announcing one byte over the limit is refused from its header alone', () => {
    const frame = masked(Opcode.BINARY, Buffer.alloc(1001));
    assert.deepEqual(feed(serverParser(limits), [frame.subarray(0, 4)]), [{ error: 1009 }]);
  });
  test('a message exactly at the limit passes', () => {
    const payload = Buffer.alloc(1000, 1);
    assert.deepEqual(feed(serverParser(limits), [masked(Opcode.BINARY, payload)]), [
      { message: payload },
    ]);
  });
  test('fragments adding up to one byte over the limit: 1009 at the fragment that passes it', () => {
    const stream = Buffer.concat([
      masked(Opcode.BINARY, Buffer.alloc(600), false),
      masked(Opcode.CONTINUATION, Buffer.alloc(401)),
    ]);
    assert.deepEqual(feed(serverParser(limits), [stream.subarray(0, 600 + 8 + 4)]), [
      { error: 1009 },
    ]);
  });
  test('a 64-bit length of 2^60 is refused, nothing allocated', () => {
    assert.deepEqual(feed(serverParser(), [hex('82 ff 10 00 00 00 00 00 00 00')]), [
      { error: 1009 },
    ]);
  });
});

describe('frame parser: permessage-deflate (Autobahn 12.x, 13.x)', () => {
  test('a compressed text message, and one split into fragments', () => {
    const text = 'Hello, compressed world! '.repeat(20);
    const deflated = deflateMessage(text);
    expectEverySplit(masked(Opcode.TEXT, deflated, true, 0x40), [{ message: text }], withDeflate);
    const stream = Buffer.concat([
      masked(Opcode.TEXT, deflated.subarray(0, 5), false, 0x40),
      masked(Opcode.CONTINUATION, deflated.subarray(5)),
    ]);
    expectEverySplit(stream, [{ message: text }], withDeflate);
  });
  test('the RFC 7692 §7.2.3.1 "Hello" example', () => {
    expectEverySplit(
      masked(Opcode.TEXT, hex('f2 48 cd c9 c9 07 00'), true, 0x40),
      [{ message: 'Hello' }],
      withDeflate,
    );
  });
  test('a compression bomb is refused at the limit, not inflated', () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 100_000);
    const parser = serverParser({ ...withDeflate, maxMessageBytes: 1024 * 1024 });
    const before = process.memoryUsage().arrayBuffers;
    assert.deepEqual(feed(parser, [masked(Opcode.BINARY, bomb, true, 0x40)]), [{ error: 1009 }]);
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024);
    assert.equal(inflateMessage(bomb, 1024), null);
  });
  test('corrupt compressed data: 1007', () => {
    expectEverySplit(
      masked(Opcode.BINARY, hex('ff ff ff ff'), true, 0x40),
      [{ error: 1007 }],
      withDeflate,
    );
  });
});
