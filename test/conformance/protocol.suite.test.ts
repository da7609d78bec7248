// Every codec runs the same suite: encode a set of messages, join the bytes,
// and feed them through the packet reader whole, one byte at a time, and
// split at every byte boundary. Each run must give back the same messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JsonInt } from '../../examples/protocols/json-int.js';
import { JsonNL } from '../../examples/protocols/json-nl.js';
import { XmlProtocol } from '../../examples/protocols/xml-protocol.js';
import { type Protocol, Protocols, TcpConnection } from '../../src/index.js';
import { FakeSink } from '../helpers/fake-sink.js';

interface CodecCase {
  name: string;
  codec: Protocol<unknown, unknown>;
  messages: unknown[];
  /** What decode gives back for each message, when it differs from the message. */
  expected?: unknown[];
  invalid?: Buffer[];
}

const utf8 = 'héllo wörld ✓ 𝄞';
const cases: CodecCase[] = [
  {
    name: 'text',
    codec: Protocols.text as Protocol<unknown, unknown>,
    messages: ['', 'one', utf8, 'x'.repeat(5000)],
  },
  {
    name: 'frame',
    codec: Protocols.frame as Protocol<unknown, unknown>,
    messages: [
      Buffer.alloc(0),
      Buffer.from([0, 1, 2, 255]),
      Buffer.from(utf8),
      Buffer.alloc(70_000, 7),
    ],
    invalid: [Buffer.from([0, 0, 0, 3]), Buffer.from([0, 0, 0, 0])],
  },
  {
    name: 'JsonNL',
    codec: JsonNL,
    messages: [{ type: 'message', content: 'hello' }, [1, 2, 3], 'str', null, { utf8 }],
    invalid: [Buffer.from('{not json}\n')],
  },
  {
    name: 'XmlProtocol',
    codec: XmlProtocol as Protocol<unknown, unknown>,
    messages: [
      '<?xml version="1.0"?><request><module>user</module></request>',
      '',
      `<a>${utf8}</a>`,
    ],
    invalid: [Buffer.from('00000abc12<x/>'), Buffer.from('0000000005')],
  },
  {
    name: 'JsonInt',
    codec: JsonInt,
    messages: [{ type: 'message', content: 'hello all' }, 42, { nested: { list: [utf8] } }],
    invalid: [Buffer.from([0, 0, 0, 2]), Buffer.from([0, 0, 0, 7, 0x7b, 0x7b, 0x7b])],
  },
];

function encodeAll(c: CodecCase): Buffer {
  const connection = new TcpConnection();
  return Buffer.concat(
    c.messages.map((m) => {
      const encoded = c.codec.encode(m, connection);
      return typeof encoded === 'string' ? Buffer.from(encoded) : encoded;
    }),
  );
}

function feed(c: CodecCase, chunks: Buffer[]): FakeSink {
  const sink = new FakeSink(c.codec);
  for (const chunk of chunks) sink.reader.push(Buffer.from(chunk));
  return sink;
}

function normalise(values: unknown[]): unknown[] {
  return values.map((v) => (Buffer.isBuffer(v) ? [...v] : v));
}

for (const c of cases) {
  describe(`codec ${c.name}`, () => {
    const bytes = encodeAll(c);
    const expected = normalise(c.expected ?? c.messages);

    test('decodes what it encodes, all in one chunk', () => {
      const sink = feed(c, [bytes]);
      assert.deepEqual(normalise(sink.delivered), expected);
      assert.equal(sink.reader.bufferedBytes, 0);
    });

    test('decodes the same when bytes arrive one at a time', () => {
      const chunks = [...bytes].map((b) => Buffer.from([b]));
      assert.deepEqual(normalise(feed(c, chunks).delivered), expected);
    });

    test('decodes the same when split at every byte boundary', () => {
      // Boundaries over the first 600 bytes and the last 50 cover every
      // header and trailer; the long middle of big messages adds nothing.
      const points = new Set<number>();
      for (let i = 1; i < Math.min(bytes.length, 600); i++) points.add(i);
      for (let i = Math.max(1, bytes.length - 50); i < bytes.length; i++) points.add(i);
      for (const at of points) {
        const sink = feed(c, [bytes.subarray(0, at), bytes.subarray(at)]);
        assert.deepEqual(normalise(sink.delivered), expected, `split at ${at}`);
      }
    });

    if (c.invalid) {
      test('rejects invalid input and stops delivering', () => {
        for (const bad of c.invalid ?? []) {
          const sink = feed(c, [bad, bytes]);
          assert.equal(sink.rejected.length, 1, `input ${bad.toString('hex')}`);
          assert.equal(sink.delivered.length, 0);
        }
      });
    }
  });
}
