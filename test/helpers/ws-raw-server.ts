import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { type RawFrame, readCloseCode, readRawFrame } from './ws-raw-client.js';

/**
 * One accepted connection of a hand-driven WebSocket server: exact frames
 * out (a server's, unmasked), the client's frames in (unmasked for reading),
 * for tests of a client against rule-breaking or hand-picked server input.
 */
export class RawServerPeer {
  readonly socket: Socket;
  /** The client's upgrade request head. */
  readonly request: string;
  #chunks: Buffer[] = [];
  #length = 0;
  #waiters: (() => void)[] = [];
  #closed: Promise<void>;

  constructor(socket: Socket, request: string, rest: Buffer) {
    this.socket = socket;
    this.request = request;
    if (rest.length > 0) this.#push(rest);
    socket.on('data', (chunk: Buffer) => this.#push(chunk));
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.#wake());
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Resolves with exactly `length` bytes, or rejects if the socket closes first. */
  async readBytes(length: number): Promise<Buffer> {
    while (this.#length < length) {
      if (this.socket.destroyed) {
        throw new Error(`socket closed after ${this.#length} of ${length} bytes`);
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const all =
      this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    this.#chunks = length < all.length ? [all.subarray(length)] : [];
    this.#length = all.length - length;
    return all.subarray(0, length);
  }

  readFrame(): Promise<RawFrame> {
    return readRawFrame((length) => this.readBytes(length));
  }

  /** Reads frames until a Close frame; resolves with its code (1005 when empty). */
  readClose(): Promise<number> {
    return readCloseCode(() => this.readFrame());
  }

  /** Resolves once the client has closed its side (FIN) or the socket is gone. */
  async ended(): Promise<void> {
    if (this.socket.readableEnded || this.socket.destroyed) return;
    await Promise.race([once(this.socket, 'end'), this.#closed]);
  }

  #push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

/**
 * A loopback server that answers each upgrade with 101 (and `extensions`
 * as `Sec-WebSocket-Extensions` when given), then hands the connection to
 * the test. Closed, with its connections, when the test ends.
 */
export async function rawWebSocketServer(
  t: TestContext,
  extensions?: (request: string) => string | undefined,
): Promise<{ port: number; accept: () => Promise<RawServerPeer> }> {
  const sockets: Socket[] = [];
  const peers: RawServerPeer[] = [];
  const waiting: ((peer: RawServerPeer) => void)[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const request = head.subarray(0, end + 4).toString('latin1');
      const key = /Sec-WebSocket-Key: *(\S+)/i.exec(request)?.[1] ?? '';
      const accept = createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      const extension = extensions?.(request);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\n` +
          (extension ? `Sec-WebSocket-Extensions: ${extension}\r\n` : '') +
          '\r\n',
      );
      const peer = new RawServerPeer(socket, request, head.subarray(end + 4));
      const waiter = waiting.shift();
      if (waiter) waiter(peer);
      else peers.push(peer);
    };
    socket.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return {
    port: (server.address() as { port: number }).port,
    accept: () => {
      const ready = peers.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}
