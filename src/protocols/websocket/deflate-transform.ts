import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { DeflateParameters } from './permessage-deflate.js';

/**
 * The per-message transform of permessage-deflate (RFC 7692 §7.2).
 *
 * Inflation is synchronous and bounded: output stops at the message limit
 * and the message is refused (1009) instead of being inflated, so a
 * "compression bomb" costs the limit, not its expansion. A peer that keeps
 * its LZ77 window across messages (context takeover) is followed by
 * inflating each message with the output of the previous ones as the preset
 * dictionary: the same window a long-lived inflater would hold, without
 * keeping a zlib stream open per connection.
 *
 * What we send is always compressed on its own (a fresh window per message):
 * that is valid whatever context takeover was agreed, since taking the
 * window over is a peer's permission, never an obligation.
 */

/** §7.2.1: the 4 bytes a sender strips from the end of each compressed message. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY = Buffer.alloc(0);

/**
 * Inflates one message; null when its output would pass `limit` bytes (the
 * inflater stops there). `history` is the preset window (earlier output) for
 * a peer with context takeover. Throws on data that is not DEFLATE.
 */
export function inflateMessage(data: Buffer, limit: number, history?: Buffer): Buffer | null {
  try {
    // One byte of headroom tells "exactly at the limit" from "past it". The
    // window is the largest (15 bits): it decodes a stream made with any smaller one.
    const inflated = inflateRawSync(Buffer.concat([data, TAIL]), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: limit + 1,
      ...(history !== undefined && history.length > 0 ? { dictionary: history } : {}),
    });
    return inflated.length > limit ? null : inflated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw error;
  }
}

/**
 * Compresses one message, without the 4-byte tail (§7.2.1). `windowBits` 8
 * is safe although zlib raises it to 9: zlib never emits a match farther back
 * than the window minus 262 bytes (250 for a 512-byte window), which is
 * within the 256 bytes a peer that asked for 8 keeps.
 */
export function deflateMessage(data: string | Uint8Array, windowBits = 15): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, windowBits });
  return out.subarray(0, out.length - TAIL.length);
}

/** Inflates the messages of one connection, keeping the peer's window when it takes it over. */
export class MessageInflater {
  /** Bytes of earlier output the peer's compressor may still refer to; 0 without context takeover. */
  readonly #keep: number;
  #history: Buffer = EMPTY;

  constructor(parameters: DeflateParameters) {
    this.#keep = parameters.receiveContextTakeover ? 2 ** parameters.receiveWindowBits : 0;
  }

  /** The frame parser's `inflate`: one whole message, bounded by `limit`. */
  readonly inflate = (data: Buffer, limit: number): Buffer | null => {
    const keep = this.#keep;
    if (keep === 0) return inflateMessage(data, limit);
    const inflated = inflateMessage(data, limit, this.#history);
    if (inflated !== null) this.#remember(inflated, keep);
    return inflated;
  };

  #remember(output: Buffer, keep: number): void {
    if (output.length >= keep) {
      // A copy: a view would keep a large message alive.
      this.#history = Buffer.from(output.subarray(output.length - keep));
    } else if (output.length > 0) {
      const old = this.#history;
      const fromOld = Math.min(old.length, keep - output.length);
      this.#history = Buffer.concat([old.subarray(old.length - fromOld), output]);
    }
  }
}
