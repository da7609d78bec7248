import type { Socket } from 'node:net';
import { invokeCallback, invokeErrorCallback } from '../callbacks.js';
import { ErrorCodes, SEND_FAIL, WorkermanError } from '../errors.js';
import { statistics } from '../statistics.js';
import {
  type DirectWriteOwner,
  directWriteSettings,
  idleHandle,
  writeError,
  writeToHandle,
} from '../transport/direct-write.js';
import { type Callback, ConnectionInterface } from './connection.js';
import { type BatchedSender, flushAtEndOfTurn } from './send-batch.js';

/** How a write is batched: not at all, until the end of this read, or until the end of the turn. */
export const Batch = { NONE: 0, READ: 1, TURN: 2 } as const;
export type BatchKind = (typeof Batch)[keyof typeof Batch];

/**
 * The send side of a stream connection: what waits in the socket's queue,
 * counted against `maxSendBufferSize` (refusal, `onBufferFull`,
 * `onBufferDrain`), and the corking that lets a read's replies, or a turn's
 * sends, leave in one write.
 */
export abstract class SocketSender<Context extends object = object>
  extends ConnectionInterface<Context>
  implements BatchedSender, DirectWriteOwner
{
  /**
   * A send that finds nothing waiting hands its bytes to the socket's handle
   * at once, past Node's stream bookkeeping (see transport/direct-write.ts);
   * the answers and limits of `send` are the same. `false`: every write goes
   * through the stream. Plain TCP and unix sockets only; TLS always uses the
   * stream, and so does a Node that lacks the internals it needs.
   */
  static get directWrites(): boolean {
    return directWriteSettings.enabled;
  }
  static set directWrites(enabled: boolean) {
    directWriteSettings.enabled = enabled;
  }

  /** Bytes that may wait in the send buffer before `send` refuses more (`onBufferFull`). */
  abstract maxSendBufferSize: number;
  onBufferFull: Callback<[connection: this]> | null = null;
  onBufferDrain: Callback<[connection: this]> | null = null;

  protected socket: Socket | null = null;
  #corked = false;
  /** Send-buffer bytes that were already waiting when the batch was corked. */
  #backlogAtCork = 0;
  #bufferFull = false;
  #drainCheck: (() => void) | null = null;
  /**
   * Bytes of a write handed to the socket's handle directly that libuv
   * still holds (the kernel did not take them at once). There is at most one
   * such write: a direct write needs nothing waiting before it.
   */
  #directBytes = 0;
  /**
   * The sends of this turn made outside a read, held until the turn ends
   * (send-batch.ts), then written together: one alone goes to the handle
   * directly, several leave in one `writev`. They count as waiting bytes.
   */
  #held: (Buffer | string)[] | null = null;
  #heldBytes = 0;
  /** `whenSendBufferEmpty` callbacks waiting for a direct write to finish. */
  #directWaiters: (() => void)[] | null = null;

  /** Bytes waiting to be written. */
  getSendBufferQueueSize(): number {
    const socket = this.socket;
    return socket === null ? 0 : socket.writableLength + this.#directBytes + this.#heldBytes;
  }

  /**
   * Writes one encoded message to the connected `socket`, or refuses it when
   * `maxSendBufferSize` bytes already wait. Answers as `send`.
   */
  protected writeToSocket(
    socket: Socket,
    payload: Buffer | string,
    batch: BatchKind,
  ): boolean | null {
    const pending = socket.writableLength + this.#directBytes + this.#heldBytes;
    if (pending >= this.maxSendBufferSize) {
      this.#refuseSend(pending);
      return false;
    }
    const nearLimit = this.#bufferFull || pending + payload.length >= this.maxSendBufferSize;
    if (batch === Batch.TURN && !this.#corked && !nearLimit) {
      if (this.#held === null) {
        this.#held = [];
        this.#backlogAtCork = pending;
        flushAtEndOfTurn(this);
      }
      this.#held.push(payload);
      this.#heldBytes += payload.length;
      return this.#backlogAtCork === 0 ? true : null;
    }
    // Anything else keeps its place behind what this turn holds.
    if (this.#held !== null) this.#corkHeld(socket);
    // A reply inside a read that finds nothing waiting goes to the handle at once.
    if (pending === 0 && batch === Batch.NONE && !this.#corked) {
      const handle = idleHandle(socket);
      if (handle !== null) return this.#writeDirect(socket, handle, payload);
    }
    if (batch !== Batch.NONE && !this.#corked) {
      this.#backlogAtCork = pending;
      socket.cork();
      this.#corked = true;
      if (batch === Batch.TURN) flushAtEndOfTurn(this);
    }
    if (nearLimit) {
      this.#writeWatchingDrain(socket, payload);
    } else {
      socket.write(payload);
    }
    // Corked: nothing left yet; "written" unless bytes were already waiting before this batch.
    if (this.#corked) return this.#backlogAtCork === 0 ? true : null;
    return socket.writableLength === 0 ? true : null;
  }

  /** True while writes are corked (until the end of the read or of the turn). */
  protected get corked(): boolean {
    return this.#corked;
  }

  /** Part of BatchedSender: the turn is over, what was held or corked leaves now. */
  flushBatch(): void {
    this.uncork();
  }

  /** Part of DirectWriteOwner: libuv finished a direct write it could not complete at once. */
  directWriteDone(socket: Socket, status: number): void {
    if (socket !== this.socket || socket.destroyed) return;
    this.#directBytes = 0;
    if (status < 0) {
      socket.destroy(writeError(status));
      return;
    }
    this.#checkDrained();
    const waiters = this.#directWaiters;
    this.#directWaiters = null;
    if (waiters !== null) for (const waiter of waiters) this.whenSendBufferEmpty(waiter);
  }

  /**
   * Lets this turn's held sends go now, then calls `callback` once no write
   * handed to the handle directly is unfinished; `false` when none is (the
   * caller then looks at the socket's own queue).
   */
  protected waitForHandleWrites(callback: () => void): boolean {
    if (this.#held !== null && this.socket !== null) this.#releaseHeld(this.socket);
    if (this.#directBytes === 0) return false;
    this.#directWaiters ??= [];
    this.#directWaiters.push(callback);
    return true;
  }

  /** Calls `callback` once the send buffer has emptied (see TcpConnection). */
  abstract whenSendBufferEmpty(callback: () => void): void;

  /** Lets what was held or corked leave now. */
  protected uncork(): void {
    if (this.#held !== null && this.socket !== null) this.#releaseHeld(this.socket);
    if (this.#corked) {
      this.#corked = false;
      this.socket?.uncork();
    }
  }

  /** The socket is gone or let go of: nothing is corked or written directly any more. */
  protected forgetCork(): void {
    this.#corked = false;
    this.#held = null;
    this.#heldBytes = 0;
    this.#directBytes = 0;
    this.#directWaiters = null;
  }

  /**
   * Writes messages that were accepted before the socket was up, in order.
   * They were counted against maxSendBufferSize when queued, so they are not
   * refused now; if the queue had filled up, its drain is reported as usual.
   */
  protected flushQueued(payloads: readonly (Buffer | string)[]): void {
    const socket = this.socket;
    if (socket === null || payloads.length === 0) return;
    socket.cork();
    for (const payload of payloads) {
      if (this.#bufferFull) this.#writeWatchingDrain(socket, payload);
      else socket.write(payload);
    }
    socket.uncork();
  }

  /** The send buffer (or the pre-connect queue) reached its limit: `onBufferFull`, once. */
  protected markBufferFull(): void {
    if (this.#bufferFull) return;
    this.#bufferFull = true;
    const onBufferFull = this.onBufferFull;
    if (onBufferFull) invokeCallback(this, 'onBufferFull', onBufferFull, this, undefined);
  }

  /** Calls `onError`; without one, the problem is only visible with NODE_DEBUG=workerman-connection. */
  protected reportError(code: number, error: WorkermanError): void {
    const onError = this.onError;
    if (onError) invokeErrorCallback(this, onError, code, error);
  }

  #writeDirect(
    socket: Socket,
    handle: NonNullable<ReturnType<typeof idleHandle>>,
    payload: Buffer | string,
  ): boolean | null {
    const left = writeToHandle(handle, payload, socket, this);
    if (left < 0) {
      // Node's stream would report this as an 'error' and destroy the socket; so do we.
      socket.destroy(writeError(left));
      return false;
    }
    if (left === 0) return true;
    this.#directBytes = left;
    if (left >= this.maxSendBufferSize) this.markBufferFull();
    return null;
  }

  /**
   * Writes what this turn held: one message alone straight to the handle
   * when nothing waits before it, else all of them in one `writev` through
   * the stream (corked around them unless a cork is already on).
   */
  #releaseHeld(socket: Socket): void {
    const held = this.#held as (Buffer | string)[];
    this.#held = null;
    this.#heldBytes = 0;
    if (held.length === 1 && !this.#corked && this.#directBytes === 0) {
      const handle = idleHandle(socket);
      if (handle !== null) {
        this.#writeDirect(socket, handle, held[0] as Buffer | string);
        return;
      }
    }
    const corkHere = !this.#corked;
    if (corkHere) socket.cork();
    for (const payload of held) socket.write(payload);
    if (corkHere) socket.uncork();
  }

  /**
   * Moves what this turn held into the socket's stream, corked until the end
   * of the turn, ahead of a send that cannot wait in the held list (one that
   * meets the limit, or one made inside a read).
   */
  #corkHeld(socket: Socket): void {
    const held = this.#held as (Buffer | string)[];
    this.#held = null;
    this.#heldBytes = 0;
    if (!this.#corked) {
      socket.cork();
      this.#corked = true;
    }
    for (const payload of held) socket.write(payload);
  }

  /** After a write finished: the send buffer is empty again, so `onBufferDrain` (once per full). */
  #checkDrained(): void {
    if (this.#bufferFull && this.#directBytes === 0 && this.socket?.writableLength === 0) {
      this.#bufferFull = false;
      const onBufferDrain = this.onBufferDrain;
      if (onBufferDrain) invokeCallback(this, 'onBufferDrain', onBufferDrain, this, undefined);
    }
  }

  #refuseSend(pending: number): void {
    statistics.sendFail++;
    this.reportError(
      SEND_FAIL,
      new WorkermanError(
        ErrorCodes.SEND_BUFFER_FULL,
        `send buffer full on ${this.describe()}: ${pending} bytes waiting, maxSendBufferSize ${this.maxSendBufferSize}; the package was dropped`,
      ),
    );
  }

  /**
   * Writes while the buffer is at or near its limit. Every such write carries
   * a callback, so the moment the buffer empties is seen whatever the socket's
   * own high-water mark is (its 'drain' event only follows a write that
   * crossed that mark).
   */
  #writeWatchingDrain(socket: Socket, payload: Buffer | string): void {
    this.#drainCheck ??= () => this.#checkDrained();
    socket.write(payload, this.#drainCheck);
    if (socket.writableLength + this.#directBytes >= this.maxSendBufferSize) this.markBufferFull();
  }
}
