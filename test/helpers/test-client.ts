import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * A plain socket client for tests: reads what arrives into one buffer and
 * lets a test await exact byte counts or lines, never a fixed delay.
 */
export class TestClient {
  readonly socket: Socket;
  #received = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
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
    while (this.#received.length < length) {
      if (this.socket.destroyed) {
        throw new Error(`socket closed after ${this.#received.length} of ${length} bytes`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const out = this.#received.subarray(0, length);
    this.#received = this.#received.subarray(length);
    return out;
  }

  /** Resolves with the next line, without its `\n`. */
  async readLine(): Promise<string> {
    for (;;) {
      const at = this.#received.indexOf(10);
      if (at !== -1) {
        const line = this.#received.toString('utf8', 0, at);
        this.#received = this.#received.subarray(at + 1);
        return line;
      }
      if (this.socket.destroyed) throw new Error('socket closed before a full line arrived');
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Everything received and not yet read. */
  get buffered(): Buffer {
    return this.#received;
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

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}
