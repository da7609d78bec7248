const EMPTY = Buffer.alloc(0);
/** Fragments at least this big are kept as they are (one copy each); smaller ones share blocks. */
const MAX_BLOCK_BYTES = 16 * 1024;
const MIN_BLOCK_BYTES = 256;

/**
 * The fragments of one message (RFC 6455 §5.4) until its last one arrives.
 *
 * Every fragment is copied (its frame may be a view of the socket's shared
 * read buffer, which the next read overwrites). Big fragments become one
 * buffer each; small ones are copied into shared blocks, so a message sent
 * as a flood of 1-byte fragments costs its bytes, not a Buffer object (about
 * 90 bytes of heap) per fragment. Blocks grow with the message, from 256
 * bytes to 16 KiB, so a short fragmented message stays small.
 */
export class FragmentBuffer {
  #parts: Buffer[] = [];
  #block: Buffer | null = null;
  #used = 0;
  #bytes = 0;

  /** Payload bytes held. */
  get length(): number {
    return this.#bytes;
  }

  append(payload: Buffer): void {
    const length = payload.length;
    if (length === 0) return;
    this.#bytes += length;
    if (length >= MAX_BLOCK_BYTES) {
      this.#seal();
      this.#parts.push(Buffer.from(payload));
      return;
    }
    let from = 0;
    while (from < length) {
      let block = this.#block;
      if (block === null) {
        const size = Math.min(Math.max(this.#bytes, MIN_BLOCK_BYTES), MAX_BLOCK_BYTES);
        block = Buffer.allocUnsafe(size);
        this.#block = block;
        this.#used = 0;
      }
      const copied = payload.copy(block, this.#used, from);
      this.#used += copied;
      from += copied;
      if (this.#used === block.length) this.#seal();
    }
  }

  /** The whole message (one buffer, private to the caller); the buffer is left empty. */
  take(): Buffer {
    this.#seal();
    const parts = this.#parts;
    const whole =
      parts.length === 0
        ? EMPTY
        : parts.length === 1
          ? (parts[0] as Buffer)
          : Buffer.concat(parts, this.#bytes);
    this.clear();
    return whole;
  }

  clear(): void {
    this.#parts = [];
    this.#block = null;
    this.#used = 0;
    this.#bytes = 0;
  }

  #seal(): void {
    const block = this.#block;
    if (block === null) return;
    if (this.#used > 0) this.#parts.push(block.subarray(0, this.#used));
    this.#block = null;
    this.#used = 0;
  }
}
