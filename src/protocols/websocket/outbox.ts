/** One message waiting: its frame once built, and how to build it at once if it must go early. */
interface Waiting {
  frame: Buffer | null;
  fallback: (() => Buffer) | null;
  bytes: number;
}

/**
 * The frames of one connection that wait behind a message being compressed
 * off the event loop, in the order the app sent them: a frame leaves only
 * when every frame before it has. `bytes` (payload bytes waiting) counts
 * against the connection's `maxSendBufferSize` with its socket's queue.
 */
export class Outbox {
  readonly #write: (frame: Buffer) => void;
  #waiting: Waiting[] = [];
  #bytes = 0;

  /** `write` sends one frame as it is (raw). */
  constructor(write: (frame: Buffer) => void) {
    this.#write = write;
  }

  get isEmpty(): boolean {
    return this.#waiting.length === 0;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** A frame ready now: it leaves after those waiting. */
  push(frame: Buffer, bytes: number): void {
    this.#waiting.push({ frame, fallback: null, bytes });
    this.#bytes += bytes;
  }

  /**
   * A frame being built: it leaves when `building` settles and the frames
   * before it have left. `fallback` builds it at once instead (uncompressed,
   * which RFC 7692 allows for any message) when building fails or the
   * connection closes first (`flushNow`).
   */
  pushBuilding(building: Promise<Buffer>, fallback: () => Buffer, bytes: number): void {
    const waiting: Waiting = { frame: null, fallback, bytes };
    this.#waiting.push(waiting);
    this.#bytes += bytes;
    building.then(
      (frame) => {
        waiting.frame = frame;
        this.#writeReady();
      },
      () => {
        waiting.frame = fallback();
        this.#writeReady();
      },
    );
  }

  /** Sends everything at once, in order (the connection is about to close). */
  flushNow(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#bytes = 0;
    // A frame still building is sent as its fallback; its build, when it
    // ends, finds itself no longer waiting.
    for (const entry of waiting) this.#write(entry.frame ?? (entry.fallback as () => Buffer)());
  }

  #writeReady(): void {
    const waiting = this.#waiting;
    // A write may run app code (onBufferFull) that closes the connection
    // and so flushes everything: then this array is no longer the outbox.
    while (this.#waiting === waiting && waiting.length > 0 && waiting[0]?.frame) {
      const entry = waiting.shift() as Waiting;
      this.#bytes -= entry.bytes;
      this.#write(entry.frame as Buffer);
    }
  }
}
