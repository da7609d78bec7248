import type { Socket } from 'node:net';
import { invokeCallback, invokeErrorCallback } from '../callbacks.js';
import { ErrorCodes, SEND_FAIL, WorkermanError } from '../errors.js';
import { statistics } from '../statistics.js';
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
  implements BatchedSender
{
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

  /** Bytes waiting to be written. */
  getSendBufferQueueSize(): number {
    return this.socket?.writableLength ?? 0;
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
    const pending = socket.writableLength;
    if (pending >= this.maxSendBufferSize) {
      this.#refuseSend(pending);
      return false;
    }
    if (batch !== Batch.NONE && !this.#corked) {
      this.#backlogAtCork = pending;
      socket.cork();
      this.#corked = true;
      if (batch === Batch.TURN) flushAtEndOfTurn(this);
    }
    if (this.#bufferFull || pending + payload.length >= this.maxSendBufferSize) {
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

  /** Part of BatchedSender: the turn is over, what was corked leaves now. */
  flushBatch(): void {
    this.uncork();
  }

  /** Lets what was corked leave now. */
  protected uncork(): void {
    if (this.#corked) {
      this.#corked = false;
      this.socket?.uncork();
    }
  }

  /** The socket is gone or let go of: nothing is corked any more. */
  protected forgetCork(): void {
    this.#corked = false;
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
    this.#drainCheck ??= () => {
      if (this.#bufferFull && this.socket?.writableLength === 0) {
        this.#bufferFull = false;
        const onBufferDrain = this.onBufferDrain;
        if (onBufferDrain) invokeCallback(this, 'onBufferDrain', onBufferDrain, this, undefined);
      }
    };
    socket.write(payload, this.#drainCheck);
    if (socket.writableLength >= this.maxSendBufferSize) this.markBufferFull();
  }
}
