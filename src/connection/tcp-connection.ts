// The connection as users know it: the origin's method list and lifecycle.
// Beside it: receive side (socket-receiver.ts), send side (send-queue.ts,
// send-batch.ts), listeners (socket-listeners.ts), close deadlines, states.
import type { Socket } from 'node:net';
import { invokeCallback } from '../callbacks.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import { debugConnection } from '../log.js';
import { connectionDefaults, type StreamCodecConnection } from '../protocols/codec-connection.js';
import type { Protocol, RawSendable } from '../protocols/protocol.js';
import type {
  WebSocketFields,
  WebSocketHandshakeHead,
} from '../protocols/websocket/websocket-types.js';
import { statistics } from '../statistics.js';
import { armCloseDeadlines } from './close-deadlines.js';
import {
  type Callback,
  type ConnectionOwner,
  type ErrorCallback,
  joinHostPort,
} from './connection.js';
import { ConnectionStatus, type ConnectionStatusValue, STATUS_NAMES } from './connection-status.js';
import type { PreparedMessage } from './prepared-message.js';
import { Batch } from './send-queue.js';
import {
  forgetSocket,
  kOnSocketClose,
  kOnSocketEnd,
  listenToSocket,
  type SocketOwner,
} from './socket-listeners.js';
import { SocketReceiver } from './socket-receiver.js';
import { toWritable } from './writable.js';

export { ConnectionStatus, type ConnectionStatusValue } from './connection-status.js';
export { socketOnRead } from './socket-listeners.js';

let nextConnectionId = 1;

/**
 * A stream connection (TCP, TLS or unix socket), accepted by a Worker or
 * opened by an AsyncTcpConnection.
 *
 * Receiving goes through the codec (`PacketReader`); sending encodes once and
 * writes once. While a chunk that holds several packets is being delivered,
 * replies are corked and leave in one write when the chunk is done. Sends
 * made outside a read of this connection (a timer, another connection's
 * message) are corked too and leave together at the end of the event-loop
 * turn (see send-batch.ts; `TcpConnection.batchSends`).
 */
export class TcpConnection<Decoded = unknown, Encodable = unknown, Context extends object = object>
  extends SocketReceiver<Decoded, Context>
  implements
    SocketOwner,
    StreamCodecConnection,
    WebSocketFields<TcpConnection<Decoded, Encodable, Context>>
{
  /**
   * Sends made outside a read of the connection leave together at the end of
   * the event-loop turn (one `writev` per connection and turn) instead of one
   * `write` each. `false` writes each at once, as before batching existed.
   */
  static batchSends = true;
  /** Default for `maxSendBufferSize`: 1 MiB. */
  static get defaultMaxSendBufferSize(): number {
    return connectionDefaults.maxSendBufferSize;
  }
  static set defaultMaxSendBufferSize(bytes: number) {
    connectionDefaults.maxSendBufferSize = bytes;
  }
  /** Default for `maxPackageSize`: 10 MiB. */
  static get defaultMaxPackageSize(): number {
    return connectionDefaults.maxPackageSize;
  }
  static set defaultMaxPackageSize(bytes: number) {
    connectionDefaults.maxPackageSize = bytes;
  }
  /** After `close()` has flushed, how long to wait for the peer's FIN before destroying (seconds). */
  static lingerTimeout = 1;
  /**
   * From `close()`, how long what is queued may take to leave before the
   * socket is destroyed (seconds; 0: no limit). A peer that stopped reading
   * never takes it, and the close would otherwise never complete.
   */
  static closeTimeout = 60;

  static readonly STATUS_INITIAL = ConnectionStatus.INITIAL;
  static readonly STATUS_CONNECTING = ConnectionStatus.CONNECTING;
  static readonly STATUS_ESTABLISHED = ConnectionStatus.ESTABLISHED;
  static readonly STATUS_CLOSING = ConnectionStatus.CLOSING;
  static readonly STATUS_CLOSED = ConnectionStatus.CLOSED;

  /** Unique within this process. */
  readonly id: number = nextConnectionId++;
  /** The Worker that accepted this connection; `null` for outbound connections. */
  worker: ConnectionOwner | null = null;
  /** Bytes that may wait in the send buffer before `send` refuses more (`onBufferFull`). */
  maxSendBufferSize = TcpConnection.defaultMaxSendBufferSize;
  /** Largest packet the codec may announce or leave unterminated; larger input closes the connection. */
  maxPackageSize = TcpConnection.defaultMaxPackageSize;

  onMessage: Callback<[connection: this, data: Decoded]> | null = null;
  onClose: Callback<[connection: this]> | null = null;
  declare onError: ErrorCallback<this> | null;

  // The WebSocket settings and hooks (WebSocketFields tells what each does).
  // Declared, never initialised: a connection that sets none carries none.
  declare onWebSocketConnect?: Callback<[connection: this, head: WebSocketHandshakeHead]> | null;
  declare onWebSocketConnected?: Callback<[connection: this, head: WebSocketHandshakeHead]> | null;
  declare onWebSocketPing?: Callback<[connection: this, data: Buffer]> | null;
  declare onWebSocketPong?: Callback<[connection: this, data: Buffer]> | null;
  declare onWebSocketClose?: Callback<[connection: this, code: number, reason: string]> | null;
  declare websocketType?: string;
  declare websocketPingInterval?: number;
  declare headers?: string[] | Record<string, string>;
  declare websocketOrigin?: string;
  declare websocketClientProtocol?: string;

  protected status: ConnectionStatusValue = ConnectionStatus.INITIAL;
  #bytesReadBefore = 0;
  #bytesWrittenBefore = 0;

  /** Wraps an accepted or connected socket. Outbound connections attach theirs later. */
  constructor(socket: Socket | null = null, protocol: Protocol<unknown, unknown> | null = null) {
    super();
    this.protocol = protocol;
    if (socket) {
      this.attachSocket(socket);
      this.markEstablished();
    }
  }

  /** Bytes received on this connection (across reconnects for outbound ones). */
  get bytesRead(): number {
    return this.#bytesReadBefore + (this.socket?.bytesRead ?? 0);
  }

  /** Bytes handed to the kernel on this connection. */
  get bytesWritten(): number {
    return this.#bytesWrittenBefore + (this.socket?.bytesWritten ?? 0);
  }

  /**
   * Sends one message, encoded by the codec unless `raw`. Returns
   *  - `true`: written, or batched to leave with this turn's other replies;
   *  - `null`: queued behind earlier data (or before the connection is up);
   *    also when the codec encoded nothing;
   *  - `false`: refused: the connection is closing or closed, or the send
   *    buffer already held `maxSendBufferSize` bytes (`onError` with
   *    `SEND_FAIL` / `WM_ERR_SEND_BUFFER_FULL` tells why). The data was not sent.
   */
  send(data: Encodable | RawSendable, raw = false): boolean | null {
    const status = this.status;
    if (status === ConnectionStatus.CLOSING || status === ConnectionStatus.CLOSED) return false;
    const payload = raw || this.protocol === null ? toWritable(data) : this.#encode(data);
    if (payload.length === 0) return null;
    const socket = this.socket;
    if (socket === null || status !== ConnectionStatus.ESTABLISHED) {
      return this.queueBeforeConnect(payload);
    }
    const batch = this.batching
      ? Batch.READ
      : !this.inRead && TcpConnection.batchSends
        ? Batch.TURN
        : Batch.NONE;
    return this.writeToSocket(socket, payload, batch);
  }

  /**
   * Sends a prepared message (`new PreparedMessage(data)`): the bytes every
   * connection with the same encoding shares, built once for all of them.
   * Answers as `send`, and the same `maxSendBufferSize` applies: a connection
   * whose peer reads slowly refuses it (`onError` with `SEND_FAIL`) without
   * holding back the others.
   */
  sendPrepared(message: PreparedMessage<Encodable>): boolean | null {
    const status = this.status;
    if (status === ConnectionStatus.CLOSING || status === ConnectionStatus.CLOSED) return false;
    const bytes = message.bytesFor(this);
    return bytes === null ? this.send(message.data) : this.send(bytes, true);
  }

  /**
   * Closes after sending `data` (if given) and flushing what is queued.
   * Nothing more is delivered to `onMessage`; `onClose` follows.
   */
  close(data?: Encodable | RawSendable, raw = false): void {
    const status = this.status;
    if (status === ConnectionStatus.CLOSING || status === ConnectionStatus.CLOSED) return;
    if (status !== ConnectionStatus.ESTABLISHED || this.socket === null) {
      this.destroy();
      return;
    }
    if (data !== undefined) this.send(data, raw);
    // The codec may owe the peer a closing message (WebSocket's Close frame).
    const farewell = this.protocol?.onClosing?.(this);
    if (farewell) this.send(farewell, true);
    this.status = ConnectionStatus.CLOSING;
    this.discardReceived();
    const socket = this.socket;
    this.uncork();
    socket.end();
    // Keep reading (and dropping) while the FIN goes out: a socket closed
    // with unread bytes sends a reset, which can wipe our last answer from
    // the peer's receive buffer before it is read (RFC 9112 §9.6).
    if (this.receivingStopped) socket.resume();
    armCloseDeadlines(socket, TcpConnection.closeTimeout, TcpConnection.lingerTimeout);
  }

  /** Closes at once, dropping whatever is queued. `onClose` follows. */
  destroy(): void {
    if (this.status === ConnectionStatus.CLOSED) return;
    if (this.socket === null) {
      this.handleSocketClosed();
      return;
    }
    // The socket's 'close' event (next tick) runs handleSocketClosed once.
    this.status = ConnectionStatus.CLOSING;
    this.socket.destroy();
  }

  /**
   * Hands the connection to another codec, as an HTTP request upgraded to
   * WebSocket on the same port does: the old codec lets go of the connection
   * (its `onClose` hook), the new one takes it (`onConnect`), and bytes
   * received but not yet decoded go to the new codec. Call it between
   * messages (from `onMessage`).
   */
  switchProtocol(protocol: Protocol<unknown, unknown>): void {
    const previous = this.protocol;
    if (previous === protocol) return;
    try {
      previous?.onClose?.(this);
    } catch (error) {
      debugConnection('codec onClose threw on %s: %s', this.describe(), error);
    }
    this.protocol = protocol;
    this.readWith(protocol);
    protocol.onConnect?.(this);
  }

  /**
   * Forwards everything received to `destination`, pausing this side while
   * the destination's send buffer is full. Each side's close closes the other.
   */
  pipe(destination: TcpConnection<unknown, unknown>): void {
    this.onMessage = (_source, data) => {
      destination.send(data);
    };
    destination.onBufferFull = () => this.pauseRecv();
    destination.onBufferDrain = () => this.resumeRecv();
    this.onClose = () => destination.close();
    destination.onClose = () => this.close();
  }

  getRemoteIp(): string {
    return this.socket?.remoteAddress ?? '';
  }

  getRemotePort(): number {
    return this.socket?.remotePort ?? 0;
  }

  getLocalIp(): string {
    return this.socket?.localAddress ?? '';
  }

  getLocalPort(): number {
    return this.socket?.localPort ?? 0;
  }

  /**
   * Calls `callback` once the send buffer has emptied (at once when nothing
   * waits). For a codec that streams a body from disk (HTTP files) with
   * backpressure, without taking the app's `onBufferDrain`. Not called if
   * the connection closes first.
   */
  whenSendBufferEmpty(callback: () => void): void {
    if (this.waitForHandleWrites(callback)) return;
    const socket = this.socket;
    if (socket === null || !socket.writableNeedDrain) {
      queueMicrotask(callback);
      return;
    }
    socket.once('drain', callback);
  }

  bufferIsEmpty(): boolean {
    return this.getSendBufferQueueSize() === 0;
  }

  /** The state as its number (`raw`, the default) or its name (`ESTABLISHED`, ...). */
  getStatus(raw?: true): number;
  getStatus(raw: false): string;
  getStatus(raw = true): number | string {
    return raw ? this.status : (STATUS_NAMES[this.status] ?? 'UNKNOWN');
  }

  describe(): string {
    const remote = this.socket ? joinHostPort(this.getRemoteIp(), this.getRemotePort()) : '-';
    const listener = this.worker ? ` on ${this.worker.getSocketName()}` : '';
    return `connection ${this.id} (${remote}${listener})`;
  }

  /** Attaches the socket and starts receiving. */
  protected attachSocket(socket: Socket): void {
    if (this.socket) {
      this.#bytesReadBefore += this.socket.bytesRead;
      this.#bytesWrittenBefore += this.socket.bytesWritten;
    }
    this.socket = socket;
    listenToSocket(socket, this);
    this.startReceiving();
  }

  /**
   * Lets go of the current socket without reporting its close (an outbound
   * connection about to reconnect): destroys it and forgets it.
   */
  protected detachSocket(): void {
    const socket = this.socket;
    if (socket === null) return;
    if (this.status === ConnectionStatus.ESTABLISHED || this.status === ConnectionStatus.CLOSING) {
      statistics.connectionCount--;
    }
    this.#bytesReadBefore += socket.bytesRead;
    this.#bytesWrittenBefore += socket.bytesWritten;
    forgetSocket(socket);
    socket.destroy();
    this.socket = null;
    this.forgetReceiving();
    this.forgetCork();
    this.status = ConnectionStatus.INITIAL;
  }

  /** The socket is connected (accepted, or an outbound connect completed). */
  protected markEstablished(): void {
    this.status = ConnectionStatus.ESTABLISHED;
    statistics.connectionCount++;
  }

  /** Outbound connections queue until connected; an accepted one is never here. */
  protected queueBeforeConnect(_payload: Buffer | string): boolean | null {
    return false;
  }

  /** Runs once when the socket is gone: bookkeeping, then `onClose`. */
  protected handleSocketClosed(): void {
    if (this.status === ConnectionStatus.CLOSED) return;
    const wasEstablished =
      this.status === ConnectionStatus.ESTABLISHED || this.status === ConnectionStatus.CLOSING;
    this.status = ConnectionStatus.CLOSED;
    this.endReceiving();
    this.forgetCork();
    if (wasEstablished) statistics.connectionCount--;
    this.worker?.connections.delete(this.id);
    if (wasEstablished && this.protocol?.onClose) {
      try {
        this.protocol.onClose(this);
      } catch (error) {
        debugConnection('codec onClose threw on %s: %s', this.describe(), error);
      }
    }
    const onClose = this.onClose;
    if (onClose) invokeCallback(this, 'onClose', onClose, this, undefined);
  }

  #encode(data: unknown): Buffer | string {
    let encoded: Buffer | string;
    try {
      encoded = (this.protocol as Protocol<unknown, unknown>).encode(data, this);
    } catch (cause) {
      throw new WorkermanError(
        ErrorCodes.ENCODE_FAILED,
        `codec encode() threw on ${this.describe()}: ${(cause as Error)?.message ?? cause}`,
        { cause },
      );
    }
    return typeof encoded === 'string' ? encoded : toWritable(encoded);
  }

  /**
   * Entry point of the shared 'end' listener: the peer sent its FIN. Sockets
   * that allow half-open (accepted ones) end their side here, or let the
   * codec answer what it was sent first (`onPeerEnd`); others were ended by
   * Node already.
   */
  [kOnSocketEnd](socket: Socket): void {
    if (this.socket !== socket || !socket.allowHalfOpen) return;
    if (this.status !== ConnectionStatus.ESTABLISHED) return; // closing: our FIN is on its way
    const protocol = this.protocol;
    if (protocol?.onPeerEnd) protocol.onPeerEnd(this);
    else socket.end();
  }

  /** Entry point of the shared 'close' listener; a socket already let go of is ignored. */
  [kOnSocketClose](socket: Socket): void {
    if (this.socket === socket) this.handleSocketClosed();
  }
}
