import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { test } from 'node:test';
import * as wsModule from 'ws';
import { mutate, rng, validStream } from '../../helpers/ws-fuzz-streams.js';
import { feed, type Outcome, serverParser } from './feed.js';

// Seeded fuzzing of the frame parser, with the `ws` package's Receiver as
// the reference: random valid streams, then the same streams with bytes
// flipped, inserted or dropped, fed whole, split at every byte boundary and
// byte by byte. Every split must give the same outcome as the whole stream,
// the parser must never throw nor hold more than the limit, and ws must
// report the same messages and the same close code.

const LIMIT = 4096;

/** ws's frame receiver (exported at runtime, absent from its type definitions). */
interface ReceiverLike extends EventEmitter {
  write(chunk: Buffer): boolean;
}
const { Receiver } = wsModule as unknown as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => ReceiverLike;
};

/** What ws's Receiver makes of the stream, up to its first error or close. */
async function reference(bytes: Buffer): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let done = false;
  const receiver = new Receiver({ isServer: true, maxPayload: LIMIT });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    if (!done) outcomes.push({ message: isBinary ? Buffer.from(data) : data.toString('utf8') });
  });
  receiver.on('ping', (data: Buffer) => {
    if (!done) outcomes.push({ ping: Buffer.from(data) });
  });
  receiver.on('pong', (data: Buffer) => {
    if (!done) outcomes.push({ pong: Buffer.from(data) });
  });
  receiver.on('conclude', (code: number, reason: Buffer) => {
    if (!done) outcomes.push({ close: code, reason: reason.toString() });
    done = true;
  });
  const errored = new Promise<void>((resolve) => {
    receiver.on('error', (error: Error) => {
      const status = Object.getOwnPropertySymbols(error)
        .map((symbol) => (error as unknown as Record<symbol, unknown>)[symbol])
        .find((value) => typeof value === 'number') as number;
      if (!done) outcomes.push({ error: status });
      done = true;
      resolve();
    });
  });
  receiver.write(bytes);
  await Promise.race([errored, new Promise((resolve) => setImmediate(resolve))]);
  return outcomes;
}

/** Our outcome, cut at the first close like a connection does. */
function ours(chunks: Buffer[]): Outcome[] {
  const parser = serverParser({ maxMessageBytes: LIMIT, maxFrameBytes: LIMIT + 14 });
  const outcomes = feed(parser, chunks);
  assert.ok(parser.bufferedMessageBytes <= LIMIT);
  const close = outcomes.findIndex((outcome) => 'close' in outcome);
  return close === -1 ? outcomes : outcomes.slice(0, close + 1);
}

/**
 * The one allowed difference: we check UTF-8 fragment by fragment and fail
 * at the first bad one (RFC 6455 §8.1, Autobahn's "fail fast"); ws checks a
 * text message once it is whole, so it may go on to other frames (pings,
 * or a later error) first. Same outcomes up to our 1007, and nothing but
 * control frames or an error from ws after that.
 */
function failedFasterOnUtf8(actual: Outcome[], expected: Outcome[]): boolean {
  const last = actual.at(-1);
  if (!last || !('error' in last) || last.error !== 1007) return false;
  const prefix = actual.length - 1;
  try {
    assert.deepEqual(expected.slice(0, prefix), actual.slice(0, prefix));
  } catch {
    return false;
  }
  return expected
    .slice(prefix)
    .every(
      (outcome) =>
        'ping' in outcome || 'pong' in outcome || 'error' in outcome || 'close' in outcome,
    );
}

test('seeded fuzz: valid and mutated streams, every split, agree with ws', async () => {
  const random = rng(20261125);
  let cases = 0;
  let errors = 0;
  for (let round = 0; round < 400; round++) {
    const valid = validStream(random);
    const bytes = round % 4 === 0 ? valid : mutate(random, valid);
    const whole = ours([bytes]);
    // Every split gives the same outcome as the whole stream.
    const cuts =
      bytes.length <= 200
        ? Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)
        : Array.from({ length: 40 }, () => 1 + random(bytes.length - 1));
    for (const cut of cuts) {
      assert.deepEqual(
        ours([bytes.subarray(0, cut), bytes.subarray(cut)]),
        whole,
        `round ${round} cut ${cut}`,
      );
    }
    if (bytes.length <= 300) {
      assert.deepEqual(
        ours([...bytes].map((byte) => Buffer.from([byte]))),
        whole,
        `round ${round} bytewise`,
      );
    }
    const last = whole.at(-1);
    if (last && 'error' in last) {
      errors++;
      assert.ok([1002, 1007, 1009].includes(last.error), `round ${round}: code ${last.error}`);
    }
    const expected = await reference(bytes);
    if (!failedFasterOnUtf8(whole, expected)) {
      // A stream that stops mid-frame leaves ws waiting exactly as it leaves us.
      assert.deepEqual(whole, expected, `round ${round}: ${bytes.toString('hex').slice(0, 200)}`);
    }
    cases++;
  }
  assert.equal(cases, 400);
  assert.ok(errors > 50, `only ${errors} of the mutated streams were invalid`);
});
