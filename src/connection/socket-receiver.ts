import { invokeCallback } from '../callbacks.js';
import { PROTOCOL_FAIL, type WorkermanError } from '../errors.js';
import { debugConnection } from '../log.js';
import type { Protocol } from '../protocols/protocol.js';
import { statistics } from '../statistics.js';
import type { Callback } from './connection.js';
import { ConnectionStatus, type ConnectionStatusValue } from './connection-status.js';
import { PacketReader, type PacketSink } from './packet-reader.js';
import { SocketSender } from './send-queue.js';
import { kOnSocketData } from './socket-listeners.js';

/**
 * The receive side of a stream connection: the codec's reader (or raw bytes
 * straight to `onMessage`), the app's pause (`pauseRecv`) and the codec's
 * (`holdRecv`), and the state of the read being handled, which tells `send`
 * whether a reply may wait for the end of the read (`inRead`, `batching`).
 */
export abstract class SocketReceiver<Decoded = unknown, Context extends object = object>
  extends SocketSender<Context>
  implements PacketSink
{
  /** Largest packet the codec may announce or leave unterminated; larger input closes the connection. */
  abstract maxPackageSize: number;
  abstract onMessage: Callback<[connection: this, data: Decoded]> | null;
  protected abstract status: ConnectionStatusValue;

  /** Set while a chunk with more packets after the current one is being delivered. */
  protected batching = false;
  /** Inside the handling of a socket read: its end flushes what was corked. */
  protected inRead = false;
  #reader: PacketReader | null = null;
  #receivingPaused = false;
  /** The codec's own pause (`holdRecv`), apart from the app's. */
  #receivingHeld = false;
  #rawWhilePaused: Buffer[] | null = null;
  /** Inside `onMessage`: the receive buffer may still hold the packet being delivered. */
  #delivering = false;

  /** Closes at once, dropping whatever is queued (bad input does so). */
  abstract destroy(): void;

  /** Part of PacketSink: the codec sees this connection. */
  get connection(): this {
    return this;
  }

  /** Part of PacketSink: false while paused (`pauseRecv`, `holdRecv`) or closing. */
  get isReceiving(): boolean {
    return (
      !this.#receivingPaused && !this.#receivingHeld && this.status === ConnectionStatus.ESTABLISHED
    );
  }

  /** Stops reading from the peer (backpressure); bytes already read wait in the receive buffer. */
  pauseRecv(): void {
    if (this.#receivingPaused) return;
    this.#receivingPaused = true;
    this.socket?.pause();
  }

  /** Resumes reading and delivers what was buffered meanwhile. */
  resumeRecv(): void {
    if (!this.#receivingPaused) return;
    this.#receivingPaused = false;
    this.#continueReceiving();
  }

  /**
   * The codec's own pause, for work on a message that ends outside the
   * socket read (WebSocket inflating a message off the event loop): later
   * bytes wait unread until `releaseRecv`. It is separate from the app's
   * `pauseRecv` / `resumeRecv`: the app's resume does not end it, and its
   * release does not end a pause of the app.
   */
  holdRecv(): void {
    if (this.#receivingHeld) return;
    this.#receivingHeld = true;
    this.socket?.pause();
  }

  /** Ends `holdRecv`; receiving goes on unless the app paused it. */
  releaseRecv(): void {
    if (!this.#receivingHeld) return;
    this.#receivingHeld = false;
    if (!this.#receivingPaused) this.#continueReceiving();
  }

  /**
   * True when bytes received after the packet being delivered are already
   * here (a pipelined request, or part of one). A codec winding the
   * connection down (`onDrain`) answers those too before it closes.
   */
  get hasPendingInput(): boolean {
    return this.#delivering ? this.batching : this.getRecvBufferQueueSize() > 0;
  }

  /** Bytes received and not yet delivered as packets. */
  getRecvBufferQueueSize(): number {
    if (this.#reader) return this.#reader.bufferedBytes;
    return this.#rawWhilePaused?.reduce((total, chunk) => total + chunk.length, 0) ?? 0;
  }

  /** Part of PacketSink: one decoded packet for `onMessage`. */
  deliver(data: unknown, more: boolean): void {
    statistics.totalRequest++;
    const onMessage = this.onMessage;
    if (onMessage === null) return;
    this.batching = more;
    this.#delivering = true;
    invokeCallback(this, 'onMessage', onMessage, this, data as Decoded);
    this.#delivering = false;
  }

  /** Part of PacketSink: the input broke the codec or a limit; tell and close this connection only. */
  reject(error: WorkermanError): void {
    debugConnection('%s', error.message);
    statistics.packetErr++;
    this.reportError(PROTOCOL_FAIL, error);
    this.destroy();
  }

  /** A socket was attached: a reader for its codec (none for raw bytes), not paused. */
  protected startReceiving(): void {
    this.#reader = this.protocol ? new PacketReader(this, this.protocol) : null;
    this.#receivingPaused = false;
    this.#receivingHeld = false;
  }

  /** The codec changed (`switchProtocol`): bytes not yet decoded go to `protocol`. */
  protected readWith(protocol: Protocol<unknown, unknown>): void {
    if (this.#reader) this.#reader.setProtocol(protocol);
    else if (this.socket) this.#reader = new PacketReader(this, protocol);
  }

  /** The connection is closing: what was received and not yet decoded is dropped. */
  protected discardReceived(): void {
    this.#reader?.discard();
  }

  /** True while the app or the codec paused receiving. */
  protected get receivingStopped(): boolean {
    return this.#receivingPaused || this.#receivingHeld;
  }

  /** The socket is let go of (to reconnect): its reader and its read go with it. */
  protected forgetReceiving(): void {
    this.#reader = null;
    this.batching = false;
    this.inRead = false;
  }

  /** The socket is gone: what was received is dropped, no read is in progress. */
  protected endReceiving(): void {
    this.#rawWhilePaused = null;
    this.#reader?.discard();
    this.batching = false;
    this.inRead = false;
  }

  /** Called after the data of one socket read has been delivered. */
  protected endOfRead(): void {
    this.batching = false;
    this.inRead = false;
    this.uncork();
  }

  /**
   * Called for each chunk read from the socket. A `transient` chunk lives in
   * the shared read buffer and is overwritten by the next read: raw bytes are
   * copied before they are handed out.
   */
  protected receive(chunk: Buffer, transient: boolean): void {
    if (this.status !== ConnectionStatus.ESTABLISHED) return;
    const reader = this.#reader;
    if (reader) {
      reader.push(chunk, transient);
      return;
    }
    const bytes = transient ? Buffer.from(chunk) : chunk;
    if (this.#receivingPaused || this.#receivingHeld) {
      // Raw bytes that were already read when receiving paused wait here.
      this.#rawWhilePaused ??= [];
      this.#rawWhilePaused.push(bytes);
    } else {
      this.deliver(bytes, false);
    }
  }

  /** Entry point of the shared 'data' listener: deliver the chunk, then flush this read's batch. */
  [kOnSocketData](chunk: Buffer, transient: boolean): void {
    this.inRead = true;
    this.receive(chunk, transient);
    this.endOfRead();
  }

  #continueReceiving(): void {
    if (this.#receivingHeld) return;
    this.inRead = true;
    this.socket?.resume();
    this.#reader?.resume();
    const held = this.#rawWhilePaused;
    while (held && held.length > 0 && this.isReceiving) {
      this.deliver(held.shift() as Buffer, false);
    }
    // Packets delivered here, outside a socket read, may have corked replies
    // (several packets were buffered): no endOfRead follows, so flush now.
    this.endOfRead();
  }
}
