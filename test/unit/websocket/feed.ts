import { inflateMessage } from '../../../src/protocols/websocket/deflate-transform.js';
import {
  FrameEvent,
  type FrameEventValue,
  FrameParser,
  type FrameParserOptions,
} from '../../../src/protocols/websocket/frame-parser.js';

/** What the parser reported, in order, as plain values a test can compare. */
export type Outcome =
  | { message: string | Buffer }
  | { ping: Buffer }
  | { pong: Buffer }
  | { close: number; reason: string }
  | { error: number };

export function serverParser(options: Partial<FrameParserOptions> = {}): FrameParser {
  return new FrameParser({
    maxMessageBytes: 1024 * 1024,
    maxFrameBytes: 1024 * 1024 + 14,
    expectMasked: true,
    deflate: false,
    ...options,
  });
}

export const withDeflate = { deflate: true };

/** What the session does with a COMPRESSED message, done on the spot: inflate, bounded by the message limit. */
function inflateNow(parser: FrameParser): FrameEventValue {
  const limit = parser.options.maxMessageBytes;
  let result: Buffer | null | Error;
  try {
    result = inflateMessage(parser.message, limit);
  } catch (error) {
    result = error as Error;
  }
  return parser.inflated(result, limit);
}

/**
 * Drives a parser the way the connection's packet reader does: bytes arrive
 * in the given chunks, `measure` is asked for a frame's length until it is
 * known, then `frame` gets exactly that many bytes (a copy, as unmasking
 * writes in place). Stops at the first error.
 */
export function feed(parser: FrameParser, chunks: Buffer[]): Outcome[] {
  const outcomes: Outcome[] = [];
  let pending = Buffer.alloc(0);
  let expected = 0;
  for (const chunk of chunks) {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (expected === 0) {
        if (pending.length === 0) break;
        const length = parser.measure(pending);
        if (length < 0) {
          outcomes.push({ error: parser.errorCode });
          return outcomes;
        }
        if (length === 0) break;
        expected = length;
      }
      if (pending.length < expected) break;
      const packet = Buffer.from(pending.subarray(0, expected));
      pending = pending.subarray(expected);
      expected = 0;
      let event = parser.frame(packet);
      if (event === FrameEvent.COMPRESSED) event = inflateNow(parser);
      if (event === FrameEvent.ERROR) {
        outcomes.push({ error: parser.errorCode });
        return outcomes;
      }
      if (event === FrameEvent.MESSAGE) {
        const data = parser.message;
        outcomes.push({
          message: parser.messageIsText ? data.toString('utf8') : Buffer.from(data),
        });
      } else if (event === FrameEvent.PING) outcomes.push({ ping: Buffer.from(parser.message) });
      else if (event === FrameEvent.PONG) outcomes.push({ pong: Buffer.from(parser.message) });
      else if (event === FrameEvent.CLOSE) {
        outcomes.push({ close: parser.closeCode, reason: parser.closeReason });
      }
    }
  }
  return outcomes;
}

/** Every way to cut `bytes` in two, plus byte by byte: [whole, [a, b] for each cut, [each byte]]. */
export function splits(bytes: Buffer): Buffer[][] {
  const ways: Buffer[][] = [[bytes]];
  for (let cut = 1; cut < bytes.length; cut++) {
    ways.push([bytes.subarray(0, cut), bytes.subarray(cut)]);
  }
  ways.push([...bytes].map((byte) => Buffer.from([byte])));
  return ways;
}
