import { invokeErrorCallback, reportCallbackFailure } from '../../callbacks.js';
import { ErrorCodes, PROTOCOL_FAIL, WorkermanError } from '../../errors.js';
import { statistics } from '../../statistics.js';
import type { CodecConnection } from '../codec-connection.js';
import { ConnectionStatus } from '../codec-connection.js';
import { NO_MESSAGE } from '../protocol.js';
import { CloseCode, closeFrameProblem } from './close-codes.js';
import { webSocketDefaults } from './defaults.js';
import { deflateMessage } from './deflate-transform.js';
import { FrameEvent, FrameParser, Opcode } from './frame-parser.js';
import { closePayload, writeFrame } from './frame-writer.js';
import { MessageCompression } from './message-compression.js';
import type { DeflateParameters } from './permessage-deflate.js';
import { sharedParserOptions, unmaskedStringFrame } from './shared-frames.js';
import type { WebSocketConnection, WebSocketFields, WebSocketSendable } from './websocket-types.js';

/** The worker's WebSocket defaults, as a session reads them (a Worker declares the fields). */
type WorkerDefaults = WebSocketFields<WebSocketConnection, unknown> | null;

/** Text frames for strings: the origin's "\x81" (its default). */
export const BINARY_TYPE_BLOB = '\x81';
/** Binary frames for strings too: the origin's "\x82". */
export const BINARY_TYPE_ARRAYBUFFER = '\x82';

export { webSocketDefaults };

/** Messages this small are sent uncompressed even with permessage-deflate (not worth the CPU). */
const DEFLATE_THRESHOLD = 1024;

/**
 * The per-connection WebSocket state shared by the server (`websocket://`)
 * and the client (`ws://`, `wss://`) codecs: what was negotiated, the frame
 * parser, messages sent before the handshake, the close handshake and the
 * keepalive. Each registers itself as its connection's session (`sessionOf`).
 */
export class WebSocketSession {
  readonly connection: WebSocketConnection;
  /** A client masks what it sends and expects unmasked frames (RFC 6455 §5.1). */
  readonly isClient: boolean;
  /** True once the handshake completed. */
  open = false;
  parser: FrameParser | null = null;
  /** permessage-deflate, when negotiated. */
  #compression: MessageCompression | null = null;
  /** The process is stopping: close with 1001 once what was received is answered (`goAway`). */
  #goingAway = false;
  #goAwayCheck: NodeJS.Immediate | null = null;
  /** Messages sent before the handshake completed, sent right after it. */
  #queued: WebSocketSendable[] | null = null;
  #queuedBytes = 0;
  closeSent = false;
  /** The code and reason our Close frame carries when the app closes. */
  closeCode: number = CloseCode.NORMAL;
  closeReason = '';
  /** Set by any frame received; the keepalive checks and clears it. */
  #heardFrom = true;
  #keepalive: NodeJS.Timeout | null = null;

  constructor(connection: WebSocketConnection, isClient: boolean) {
    this.connection = connection;
    this.isClient = isClient;
    sessions.set(connection, this);
  }

  /** Switches to frames once the handshake is done; `deflate` null = no compression. */
  start(deflate: DeflateParameters | null): void {
    const connection = this.connection;
    this.open = true;
    this.parser = new FrameParser(
      sharedParserOptions(connection.maxPackageSize, !this.isClient, deflate !== null),
    );
    if (deflate) {
      this.#compression = new MessageCompression(connection, deflate, this.isClient, (...why) =>
        this.fail(...why),
      );
    }
    const queued = this.#queued;
    this.#queued = null;
    this.#queuedBytes = 0;
    if (queued) for (const data of queued) connection.send(this.encode(data), true);
    const interval =
      connection.websocketPingInterval ??
      (connection.worker as WorkerDefaults)?.websocketPingInterval;
    if (interval && interval > 0) this.#startKeepalive(interval);
    if (this.#goingAway) this.#scheduleGoAwayCheck();
  }

  /**
   * The process stops accepting (reload, stop): every message already
   * received is delivered to `onMessage` and its answers are sent, then the
   * connection closes with 1001 Going Away (RFC 6455 §7.4.1), which asks the
   * client to reconnect, to a process that still accepts. A message whose
   * bytes have partly arrived, or that is still inflating, is awaited. The
   * process bounds the whole by `Worker.stopTimeout`. Before the handshake
   * is done, the check waits for it.
   */
  goAway(): void {
    if (this.#goingAway) return;
    this.#goingAway = true;
    this.closeCode = CloseCode.GOING_AWAY;
    this.closeReason = 'server going away';
    if (this.open) this.#scheduleGoAwayCheck();
  }

  /**
   * After the socket reads of this loop turn (bytes the kernel already
   * holds are read and delivered first), closes unless a message is still
   * on its way; the next frame schedules the check again.
   */
  #scheduleGoAwayCheck(): void {
    if (this.#goAwayCheck !== null) return;
    this.#goAwayCheck = setImmediate(() => {
      this.#goAwayCheck = null;
      const connection = this.connection;
      if (connection.getStatus() !== ConnectionStatus.ESTABLISHED) return;
      const midMessage =
        this.#compression?.inflating ||
        (this.parser?.bufferedMessageBytes ?? 0) > 0 ||
        connection.getRecvBufferQueueSize() > 0;
      if (!midMessage) connection.close();
    });
  }

  /** Keeps a message sent before the handshake; false when the queue is over maxSendBufferSize. */
  queue(data: WebSocketSendable): boolean {
    const payload = typeof data === 'string' || !('type' in data) ? data : data.data;
    const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (this.#queuedBytes + bytes > this.connection.maxSendBufferSize) return false;
    this.#queued ??= [];
    this.#queued.push(data);
    this.#queuedBytes += bytes;
    return true;
  }

  /**
   * For a prepared message: what its frame depends on here besides the data
   * (how strings go out, and the deflate window bits, or 0 without
   * permessage-deflate). Every message we compress starts from a fresh
   * window (deflate-transform.ts), so a compressed frame is valid for every
   * connection with the same bits, whatever context takeover was agreed.
   * `null` where a shared frame would be wrong: before the handshake, on a
   * client (each frame has its own mask, RFC 6455 §5.3), or while frames wait
   * behind a message still compressing (they must leave in order).
   */
  sharedEncodingKey(): string | null {
    if (!this.open || this.isClient) return null;
    const compression = this.#compression;
    if (compression?.isSending) return null;
    // Built once per websocketType (a broadcast asks every connection).
    const type = this.connection.websocketType;
    if (type !== this.#keyType || this.#key === null) {
      this.#keyType = type;
      this.#key = `${type}:${compression?.windowBits ?? 0}`;
    }
    return this.#key;
  }
  #key: string | null = null;
  #keyType: string | undefined = undefined;

  /**
   * The frame of a prepared message, for every connection with this
   * `sharedEncodingKey`: compressed here, at once, whatever its size (the
   * cost is paid once for all of them).
   */
  encodeShared(data: WebSocketSendable): Buffer {
    const { opcode, payload } = this.#frameKind(data);
    const compression = this.#compression;
    if (compression !== null && payload.length >= DEFLATE_THRESHOLD) {
      return writeFrame(opcode, deflateMessage(payload, compression.windowBits), { rsv1: true });
    }
    return writeFrame(opcode, payload);
  }

  #frameKind(data: WebSocketSendable): { opcode: number; payload: string | Uint8Array } {
    if (typeof data === 'string') {
      const binary = this.connection.websocketType === BINARY_TYPE_ARRAYBUFFER;
      return { opcode: binary ? Opcode.BINARY : Opcode.TEXT, payload: data };
    }
    if ('type' in data) {
      return { opcode: data.type === 'text' ? Opcode.TEXT : Opcode.BINARY, payload: data.data };
    }
    return { opcode: Opcode.BINARY, payload: data };
  }

  /** One message as one frame: strings as text unless `websocketType` says binary, bytes as binary. */
  encode(data: WebSocketSendable): Buffer | '' {
    const { opcode, payload } = this.#frameKind(data);
    const mask = this.isClient;
    const compression = this.#compression;
    if (compression !== null) {
      if (payload.length >= DEFLATE_THRESHOLD) return compression.compress(opcode, payload);
      if (compression.isSending) {
        // Behind a message still compressing: in order, after it.
        compression.enqueue(writeFrame(opcode, payload, { mask }), payload.length);
        return '';
      }
    }
    if (mask || typeof payload !== 'string') return writeFrame(opcode, payload, { mask });
    return unmaskedStringFrame(opcode, payload);
  }

  /** `input` for an open connection: the next frame's length (0: not known yet). */
  measure(buffer: Buffer): number {
    // Defensive: receiving is held while a message inflates.
    if (this.#compression?.inflating) return 0;
    const parser = this.parser as FrameParser;
    const length = parser.measure(buffer);
    if (length >= 0) return length;
    this.fail(parser.errorCode, parser.errorReason);
    return 0;
  }

  /** `decode` for an open connection: a message, or NO_MESSAGE after handling a control frame. */
  frame(packet: Buffer): string | Buffer | typeof NO_MESSAGE {
    const parser = this.parser as FrameParser;
    this.#heardFrom = true;
    if (this.#goingAway) this.#scheduleGoAwayCheck();
    const connection = this.connection;
    switch (parser.frame(packet)) {
      case FrameEvent.MESSAGE:
        // The packet may live in the socket's shared read buffer: text becomes
        // a string, binary is copied (an inflated message is already private).
        if (parser.messageIsText) return parser.message.toString('utf8');
        return parser.message.buffer === packet.buffer
          ? Buffer.from(parser.message)
          : parser.message;
      case FrameEvent.PING: {
        const onPing =
          connection.onWebSocketPing ?? (connection.worker as WorkerDefaults)?.onWebSocketPing;
        const data = Buffer.from(parser.message);
        if (onPing) this.#callUser('onWebSocketPing', onPing, data);
        else if (!this.closeSent) this.sendControl(Opcode.PONG, data);
        return NO_MESSAGE;
      }
      case FrameEvent.PONG: {
        const onPong =
          connection.onWebSocketPong ?? (connection.worker as WorkerDefaults)?.onWebSocketPong;
        if (onPong) this.#callUser('onWebSocketPong', onPong, Buffer.from(parser.message));
        return NO_MESSAGE;
      }
      case FrameEvent.CLOSE:
        this.#peerClosed(parser.closeCode, parser.closeReason);
        return NO_MESSAGE;
      case FrameEvent.ERROR:
        this.fail(parser.errorCode, parser.errorReason);
        return NO_MESSAGE;
      case FrameEvent.COMPRESSED:
        return (this.#compression as MessageCompression).inflate(parser);
      default:
        return NO_MESSAGE;
    }
  }

  /** Sends a ping, pong or close frame at once (raw, not through `encode`). */
  sendControl(opcode: number, payload: Uint8Array | string): void {
    this.connection.send(writeFrame(opcode, payload, { mask: this.isClient }), true);
  }

  /** The Close frame `close()` sends when the app closes, once; what waits in the outbox goes first. */
  closingFrame(): Buffer | null {
    if (!this.open || this.closeSent) return null;
    this.closeSent = true;
    this.stop();
    this.#compression?.flush();
    return writeFrame(Opcode.CLOSE, closePayload(this.closeCode, this.closeReason), {
      mask: this.isClient,
    });
  }

  /**
   * Fails the connection (§7.1.7): tells `onError`, sends a Close frame with
   * `code` and closes. Only this connection is affected.
   */
  fail(
    code: number,
    reason: string,
    limits = `maxPackageSize ${this.connection.maxPackageSize}`,
  ): void {
    const connection = this.connection;
    const error = new WorkermanError(
      code === CloseCode.MESSAGE_TOO_BIG ? ErrorCodes.PACKAGE_TOO_LARGE : ErrorCodes.BAD_PACKET,
      `WebSocket close ${code} on ${connection.describe()}: ${reason}` +
        (code === CloseCode.MESSAGE_TOO_BIG ? ` (${limits})` : ''),
    );
    statistics.packetErr++;
    const onError = connection.onError;
    if (onError) invokeErrorCallback(connection, onError, PROTOCOL_FAIL, error);
    this.closeCode = code;
    this.closeReason = '';
    connection.close();
  }

  stop(): void {
    if (this.#keepalive) clearInterval(this.#keepalive);
    this.#keepalive = null;
  }

  /** §5.5.1: the peer closed; tell the app, answer with the same code, and close TCP. */
  #peerClosed(code: number, reason: string): void {
    const connection = this.connection;
    const onClose =
      connection.onWebSocketClose ?? (connection.worker as WorkerDefaults)?.onWebSocketClose;
    if (onClose) this.#callUser('onWebSocketClose', onClose, code, reason);
    if (!this.closeSent) {
      this.closeSent = true;
      this.stop();
      this.#compression?.flush();
      this.sendControl(Opcode.CLOSE, code === CloseCode.NO_STATUS ? '' : closePayload(code));
    }
    connection.close();
  }

  /**
   * Pings every `seconds`; a peer that sent no frame at all (not even the
   * pong) for a whole interval is considered dead and the connection is cut.
   */
  #startKeepalive(seconds: number): void {
    this.#keepalive = setInterval(() => {
      if (!this.#heardFrom) {
        this.stop();
        this.closeCode = CloseCode.GOING_AWAY;
        this.closeReason = 'keepalive timeout';
        this.connection.destroy();
        return;
      }
      this.#heardFrom = false;
      this.sendControl(Opcode.PING, '');
    }, seconds * 1000);
    this.#keepalive.unref();
  }

  #callUser<Args extends unknown[]>(
    name: string,
    callback: (connection: WebSocketConnection, ...args: Args) => unknown,
    ...args: Args
  ): void {
    const connection = this.connection;
    let result: unknown;
    try {
      result = callback(connection, ...args);
    } catch (error) {
      reportCallbackFailure(connection, name, error);
      return;
    }
    if (result instanceof Promise) {
      result.catch((error: unknown) => reportCallbackFailure(connection, name, error));
    }
  }
}

/** The current session of each WebSocket connection, server or client side. */
const sessions = new WeakMap<CodecConnection, WebSocketSession>();

/** The connection's current session (the server codec keeps its state in it). */
export function sessionOf(connection: CodecConnection): WebSocketSession | undefined {
  return sessions.get(connection);
}

/**
 * Closes a WebSocket connection with `code` and `reason` in its Close frame
 * (RFC 6455 §7.4; `connection.close()` sends 1000). Throws
 * `WM_ERR_INVALID_OPTION`, and closes nothing, for a code that may not be
 * sent (1005, 1006, 1015, reserved or out of range) or a reason over 123
 * bytes of UTF-8.
 */
export function closeWebSocket(connection: CodecConnection, code = 1000, reason = ''): void {
  const problem = closeFrameProblem(code, reason);
  if (problem !== null) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `closeWebSocket on ${connection.describe()}: ${problem}`,
    );
  }
  const session = sessions.get(connection);
  if (session) {
    session.closeCode = code;
    session.closeReason = reason;
  }
  connection.close();
}
