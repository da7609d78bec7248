const EMPTY = Buffer.alloc(0);
// Small: a connection holding a partial packet (a slow client, a head split
// across reads) keeps this much per connection; from Node's shared slab.
const MIN_CAPACITY = 512;
/** Capacity kept after the buffer empties; larger buffers are released so idle connections stay small. */
const KEEP_CAPACITY = 64 * 1024;

/**
 * Bytes received but not yet consumed, kept contiguous so a codec can look at
 * them as one `Buffer`. Appending copies only the new bytes into spare
 * capacity that grows by doubling, so a packet arriving in many chunks costs
 * time linear in its size. `reserve` sizes the storage once when a codec has
 * announced a packet length.
 *
 * Views handed out may live on in what a codec decoded (a `Buffer` body kept
 * by the app), so once a view was taken the storage is never written below
 * its end again: it is replaced, not reused or compacted.
 */
export class ReceiveBuffer {
  #storage: Buffer = EMPTY;
  #start = 0;
  #end = 0;
  #viewed = false;

  get length(): number {
    return this.#end - this.#start;
  }

  /** The unconsumed bytes, as a view (no copy). Valid until the next append or consume. */
  view(): Buffer {
    this.#viewed = true;
    return this.#storage.subarray(this.#start, this.#end);
  }

  append(chunk: Buffer, from = 0): void {
    const bytes = chunk.length - from;
    if (bytes <= 0) return;
    this.#makeRoom(bytes);
    chunk.copy(this.#storage, this.#end, from);
    this.#end += bytes;
  }

  /** Makes sure `total` bytes (counted from the first unconsumed one) fit without reallocating. */
  reserve(total: number): void {
    const more = total - this.length;
    if (more > 0) this.#makeRoom(more, true);
  }

  consume(bytes: number): void {
    this.#start += bytes;
    if (this.#start >= this.#end) this.clear();
  }

  clear(): void {
    this.#start = 0;
    this.#end = 0;
    if (this.#viewed || this.#storage.length > KEEP_CAPACITY) {
      this.#storage = EMPTY;
      this.#viewed = false;
    }
  }

  #makeRoom(bytes: number, exact = false): void {
    if (this.#end + bytes <= this.#storage.length) return;
    const length = this.length;
    const needed = length + bytes;
    if (!this.#viewed && needed <= this.#storage.length && this.#start >= length) {
      // Enough room once the consumed prefix is dropped, and the live bytes are
      // no more than what is dropped: moving them is cheap.
      this.#storage.copyWithin(0, this.#start, this.#end);
    } else {
      const capacity = exact ? needed : Math.max(needed, this.#storage.length * 2, MIN_CAPACITY);
      const next = Buffer.allocUnsafe(capacity);
      this.#storage.copy(next, 0, this.#start, this.#end);
      this.#storage = next;
      this.#viewed = false;
    }
    this.#start = 0;
    this.#end = length;
  }
}
