import { invokeErrorCallback } from '../../callbacks.js';
import { ErrorCodes, SEND_FAIL, WorkermanError } from '../../errors.js';
import { ConnectionStatus } from '../codec-connection.js';
import { NO_MESSAGE } from '../protocol.js';
import { webSocketDefaults } from './defaults.js';
import {
  deflateMessage,
  deflateOffLoop,
  INLINE_BYTES,
  MessageInflater,
} from './deflate-transform.js';
import { FrameEvent, type FrameParser } from './frame-parser.js';
import { writeFrame } from './frame-writer.js';
import { Outbox } from './outbox.js';
import type { DeflateParameters } from './permessage-deflate.js';
import type { WebSocketConnection } from './websocket-types.js';

/** Fails the connection: the session's `fail`, with the limits to name for 1009. */
type Fail = (code: number, reason: string, limits: string) => void;

/**
 * permessage-deflate on one connection, once negotiated: inflating what is
 * received and compressing what is sent, with the big work off the event
 * loop (deflate-transform.ts) and message order kept both ways.
 *
 * Receiving: while a message inflates on the threadpool, the connection
 * holds receiving (`holdRecv`), so the frames after it stay unread; the
 * message is then delivered and receiving goes on, unless the app paused it.
 *
 * Sending: while a message compresses on the threadpool, every frame sent
 * after it waits behind it in the outbox.
 */
export class MessageCompression {
  readonly #connection: WebSocketConnection;
  readonly #fail: Fail;
  readonly #inflater: MessageInflater;
  /** The most a compressed message may inflate to. */
  readonly #inflateLimit: number;
  readonly #windowBits: number;
  readonly #mask: boolean;
  #outbox: Outbox | null = null;
  /** A received message is inflating off the event loop; receiving is held meanwhile. */
  inflating = false;

  constructor(
    connection: WebSocketConnection,
    parameters: DeflateParameters,
    mask: boolean,
    fail: Fail,
  ) {
    this.#connection = connection;
    this.#fail = fail;
    this.#inflater = new MessageInflater(parameters);
    this.#inflateLimit = Math.min(connection.maxPackageSize, webSocketDefaults.maxInflatedSize);
    this.#windowBits = parameters.sendWindowBits;
    this.#mask = mask;
  }

  /** Window bits of what we compress: every message is compressed on its own with them. */
  get windowBits(): number {
    return this.#windowBits;
  }

  /** Frames wait behind a message still compressing: later ones must go through `enqueue`. */
  get isSending(): boolean {
    return this.#outbox !== null && !this.#outbox.isEmpty;
  }

  /** A message worth compressing, as its frame; '' when it went to the outbox (or was refused). */
  compress(opcode: number, payload: string | Uint8Array): Buffer | '' {
    if (payload.length > INLINE_BYTES) return this.#compressOffLoop(opcode, payload);
    const frame = writeFrame(opcode, deflateMessage(payload, this.#windowBits), {
      mask: this.#mask,
      rsv1: true,
    });
    if (!this.isSending) return frame;
    this.enqueue(frame, payload.length);
    return '';
  }

  /** A frame built now that must leave after those waiting. */
  enqueue(frame: Buffer, bytes: number): void {
    (this.#outbox as Outbox).push(frame, bytes);
  }

  /** Sends everything waiting at once, in order (the connection is about to close). */
  flush(): void {
    this.#outbox?.flushNow();
  }

  /**
   * Compresses a big message on the threadpool; it and what is sent after
   * it wait in the outbox meanwhile. Refused (and reported) when the outbox
   * and the socket's queue already hold `maxSendBufferSize` bytes.
   */
  #compressOffLoop(opcode: number, payload: string | Uint8Array): '' {
    const connection = this.#connection;
    const mask = this.#mask;
    this.#outbox ??= new Outbox((frame) => {
      if (connection.getStatus() === ConnectionStatus.ESTABLISHED) connection.send(frame, true);
    });
    const outbox = this.#outbox;
    const waiting = outbox.bytes + connection.getSendBufferQueueSize();
    if (waiting >= connection.maxSendBufferSize) {
      reportDropped(connection, `${waiting} bytes waiting`);
      return '';
    }
    outbox.pushBuilding(
      deflateOffLoop(payload, this.#windowBits).then((compressed) =>
        writeFrame(opcode, compressed, { mask, rsv1: true }),
      ),
      // Uncompressed, as RFC 7692 allows for any message.
      () => writeFrame(opcode, payload, { mask }),
      payload.length,
    );
    return '';
  }

  /** A compressed message (`FrameEvent.COMPRESSED`): inflated at once when small, else off the loop. */
  inflate(parser: FrameParser): string | Buffer | typeof NO_MESSAGE {
    const limit = this.#inflateLimit;
    let result: Buffer | null | Error | Promise<Buffer | null>;
    try {
      result = this.#inflater.inflate(parser.message, limit);
    } catch (error) {
      result = error as Error;
    }
    if (result instanceof Promise) {
      this.#inflateLater(parser, result, limit);
      return NO_MESSAGE;
    }
    return this.#inflated(parser, result, limit) ?? NO_MESSAGE;
  }

  #inflateLater(parser: FrameParser, inflating: Promise<Buffer | null>, limit: number): void {
    const connection = this.#connection;
    this.inflating = true;
    connection.holdRecv();
    inflating
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
      .then((result) => {
        this.inflating = false;
        // Closed meanwhile: nothing more is delivered.
        if (connection.getStatus() !== ConnectionStatus.ESTABLISHED) return;
        const message = this.#inflated(parser, result, limit);
        if (message !== null) connection.deliver(message, false);
        connection.releaseRecv();
      });
  }

  /** The app's form of an inflated message; null after failing the connection. */
  #inflated(
    parser: FrameParser,
    result: Buffer | null | Error,
    limit: number,
  ): string | Buffer | null {
    if (parser.inflated(result, limit) !== FrameEvent.MESSAGE) {
      this.#fail(
        parser.errorCode,
        parser.errorReason,
        `maxPackageSize ${this.#connection.maxPackageSize}, webSocketDefaults.maxInflatedSize ${webSocketDefaults.maxInflatedSize}`,
      );
      return null;
    }
    // Inflated output is private: binary needs no copy.
    return parser.messageIsText ? parser.message.toString('utf8') : parser.message;
  }
}

/** A message refused because too much waits to be sent already. */
function reportDropped(connection: WebSocketConnection, waiting: string): void {
  const error = new WorkermanError(
    ErrorCodes.SEND_BUFFER_FULL,
    `send queue full on ${connection.describe()} (${waiting}, maxSendBufferSize ${connection.maxSendBufferSize}); the message was dropped`,
  );
  if (connection.onError) invokeErrorCallback(connection, connection.onError, SEND_FAIL, error);
}
