import { nodeZlib } from '../../builtins.js';
import type { DeflateParameters } from './permessage-deflate.js';
import { runZlibJob } from './zlib-jobs.js';

/**
 * The per-message transform of permessage-deflate (RFC 7692 §7.2).
 *
 * Inflation is bounded: output stops at the limit and the message is
 * refused (1009) instead of being inflated, so a "compression bomb" costs
 * the limit, not its expansion. Small work is done at once on the event loop
 * (a message inflating to at most `INLINE_BYTES`, a message of at most
 * `INLINE_BYTES` to compress), where the hand-over to a thread would cost
 * more than the work; anything bigger runs on libuv's threadpool through the
 * per-process limiter (zlib-jobs.ts), so no peer can hold the event loop
 * with crafted compressed frames.
 *
 * A peer that keeps its LZ77 window across messages (context takeover) is
 * followed by inflating each message with the output of the previous ones
 * as the preset dictionary: the same window a long-lived inflater would
 * hold, without keeping a zlib stream open per connection.
 *
 * What we send is always compressed on its own (a fresh window per message):
 * that is valid whatever context takeover was agreed, since taking the
 * window over is a peer's permission, never an obligation.
 *
 * node:zlib is loaded with the first message compressed or inflated
 * (builtins.ts), so a process where no peer agrees to permessage-deflate
 * never loads it.
 */

/** §7.2.1: the 4 bytes a sender strips from the end of each compressed message. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY = Buffer.alloc(0);

/** Compression work up to this many bytes (output of an inflate, input of a deflate) runs inline. */
export const INLINE_BYTES = 16 * 1024;

/** Output chunk of threadpool jobs: each chunk is one hand-back to the event loop. */
const CHUNK_BYTES = 64 * 1024;

function isTooLarge(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

function inflateOptions(maxOutputLength: number, history: Buffer | undefined) {
  return {
    finishFlush: nodeZlib().constants.Z_SYNC_FLUSH,
    // The window is the largest (15 bits): it decodes a stream made with any smaller one.
    maxOutputLength,
    ...(history !== undefined && history.length > 0 ? { dictionary: history } : {}),
  };
}

/**
 * Inflates one message on the event loop; null when its output would pass
 * `limit` bytes (the inflater stops there). `history` is the preset window
 * (earlier output) for a peer with context takeover. Throws on data that is
 * not DEFLATE.
 */
export function inflateMessage(data: Buffer, limit: number, history?: Buffer): Buffer | null {
  try {
    // One byte of headroom tells "exactly at the limit" from "past it".
    const inflated = nodeZlib().inflateRawSync(
      Buffer.concat([data, TAIL]),
      inflateOptions(limit + 1, history),
    );
    return inflated.length > limit ? null : inflated;
  } catch (error) {
    if (isTooLarge(error)) return null;
    throw error;
  }
}

/** `inflateMessage` on the threadpool (the input already ends with the tail). */
function inflateOffLoop(input: Buffer, limit: number, history?: Buffer): Promise<Buffer | null> {
  return runZlibJob(
    () =>
      new Promise<Buffer | null>((resolve, reject) => {
        const options = { ...inflateOptions(limit + 1, history), chunkSize: CHUNK_BYTES };
        nodeZlib().inflateRaw(input, options, (error, inflated) => {
          if (error) {
            if (isTooLarge(error)) resolve(null);
            else reject(error);
          } else resolve(inflated.length > limit ? null : inflated);
        });
      }),
  );
}

/**
 * Inflates one message bounded by `limit`: at once when it inflates to at
 * most `INLINE_BYTES` (a Buffer, or null past the limit), otherwise on the
 * threadpool (a promise of the same). Throws, or rejects, on data that is
 * not DEFLATE.
 */
export function inflateBounded(
  data: Buffer,
  limit: number,
  history?: Buffer,
): Buffer | null | Promise<Buffer | null> {
  const input = Buffer.concat([data, TAIL]);
  const inline = Math.min(limit, INLINE_BYTES);
  try {
    const inflated = nodeZlib().inflateRawSync(input, inflateOptions(inline + 1, history));
    return inflated.length > limit ? null : inflated;
  } catch (error) {
    if (!isTooLarge(error)) throw error;
    if (limit <= INLINE_BYTES) return null;
  }
  // More than INLINE_BYTES: the first try cost at most that much; the rest is off the loop.
  return inflateOffLoop(input, limit, history);
}

/**
 * Compresses one message, without the 4-byte tail (§7.2.1). `windowBits` 8
 * is safe although zlib raises it to 9: zlib never emits a match farther back
 * than the window minus 262 bytes (250 for a 512-byte window), which is
 * within the 256 bytes a peer that asked for 8 keeps.
 */
export function deflateMessage(data: string | Uint8Array, windowBits = 15): Buffer {
  const zlib = nodeZlib();
  const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH, windowBits });
  return out.subarray(0, out.length - TAIL.length);
}

/** `deflateMessage` on the threadpool. */
export function deflateOffLoop(data: string | Uint8Array, windowBits = 15): Promise<Buffer> {
  return runZlibJob(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        const zlib = nodeZlib();
        const options = {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
          windowBits,
          chunkSize: CHUNK_BYTES,
        };
        zlib.deflateRaw(data, options, (error, out) => {
          if (error) reject(error);
          else resolve(out.subarray(0, out.length - TAIL.length));
        });
      }),
  );
}

/** Inflates the messages of one connection, keeping the peer's window when it takes it over. */
export class MessageInflater {
  /** Bytes of earlier output the peer's compressor may still refer to; 0 without context takeover. */
  readonly #keep: number;
  #history: Buffer = EMPTY;

  constructor(parameters: DeflateParameters) {
    this.#keep = parameters.receiveContextTakeover ? 2 ** parameters.receiveWindowBits : 0;
  }

  /**
   * One whole message, bounded by `limit`: see `inflateBounded`. The caller
   * inflates one message at a time (a connection reads nothing more while
   * one is inflating), so the window is always the one before this message.
   */
  inflate(data: Buffer, limit: number): Buffer | null | Promise<Buffer | null> {
    const keep = this.#keep;
    if (keep === 0) return inflateBounded(data, limit);
    const inflated = inflateBounded(data, limit, this.#history);
    if (!(inflated instanceof Promise)) {
      if (inflated !== null) this.#remember(inflated, keep);
      return inflated;
    }
    return inflated.then((output) => {
      if (output !== null) this.#remember(output, keep);
      return output;
    });
  }

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
