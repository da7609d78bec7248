import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A plain socket client for tests: keeps what arrives and lets a test await
 * exact byte counts or lines, never a fixed delay. Chunks are kept as they
 * came and joined only when a read spans several, so tens of megabytes cost
 * one copy, not one per chunk.
 */
export class TestClient {
  readonly socket: Socket;
  #chunks: Buffer[] = [];
  #length = 0;
  /** Leading bytes of what was received that are known to hold no newline. */
  #searched = 0;
  #waiters: (() => void)[] = [];
  #closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
      this.#wake();
    });
    socket.on('error', () => {});
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.#wake());
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<TestClient> {
    const socket = connect({ port, host });
    await once(socket, 'connect');
    return new TestClient(socket);
  }

  static async connectPath(path: string): Promise<TestClient> {
    const socket = connect({ path });
    await once(socket, 'connect');
    return new TestClient(socket);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Resolves with exactly `length` bytes, or rejects if the socket closes first. */
  async readBytes(length: number): Promise<Buffer> {
    while (this.#length < length) {
      if (this.socket.destroyed) {
        throw new Error(`socket closed after ${this.#length} of ${length} bytes`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return this.#take(length);
  }

  /** Resolves with the next line, without its `\n`. */
  async readLine(): Promise<string> {
    for (;;) {
      const at = this.#indexOfNewline();
      if (at !== -1) return this.#take(at + 1).toString('utf8', 0, at);
      if (this.socket.destroyed) throw new Error('socket closed before a full line arrived');
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Everything received and not yet read. */
  get buffered(): Buffer {
    return this.#joined();
  }

  /** Resolves once the server has closed the connection. */
  closed(): Promise<void> {
    return this.#closed;
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The received bytes as one buffer (joined once, then kept joined). */
  #joined(): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] as Buffer;
  }

  /** Removes and returns the first `length` received bytes. */
  #take(length: number): Buffer {
    // Within the first chunk nothing is copied; across chunks they are joined first.
    const first = this.#chunks[0];
    const head = first !== undefined && first.length >= length ? first : this.#joined();
    if (head.length === length) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(length);
    this.#length -= length;
    this.#searched = 0;
    return head.subarray(0, length);
  }

  /** Where the first newline of what was received is, or -1; bytes already searched are skipped. */
  #indexOfNewline(): number {
    let offset = 0;
    for (const chunk of this.#chunks) {
      const end = offset + chunk.length;
      if (end > this.#searched) {
        const at = chunk.indexOf(10, Math.max(0, this.#searched - offset));
        if (at !== -1) return offset + at;
      }
      offset = end;
    }
    this.#searched = offset;
    return -1;
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
