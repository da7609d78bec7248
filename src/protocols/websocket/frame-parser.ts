import { CloseCode, isValidCloseCode } from './close-codes.js';
import { FragmentBuffer } from './fragment-buffer.js';
import { unmask } from './mask.js';
import { Utf8Validator } from './utf8-validator.js';

const { isUtf8 } = process.getBuiltinModule('node:buffer');

/** Frame opcodes (RFC 6455 §5.2). 3-7 and 0xB-0xF are reserved. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** What `frame()` found in one complete frame. */
export const FrameEvent = {
  /** A fragment was stored; nothing to hand to the application yet. */
  NONE: 0,
  /** A whole message: `message` (and `messageIsText`). */
  MESSAGE: 1,
  PING: 2,
  PONG: 3,
  /** `closeCode` (1005 when the frame had no body) and `closeReason`. */
  CLOSE: 4,
  /** `errorCode` and `errorReason`: the connection must be failed with them. */
  ERROR: 5,
  /**
   * A whole compressed message (RSV1, RFC 7692): `message` holds its
   * compressed bytes and `messageIsText` its type; the caller inflates it
   * and hands the result to `inflated`.
   */
  COMPRESSED: 6,
} as const;
export type FrameEventValue = (typeof FrameEvent)[keyof typeof FrameEvent];

export interface FrameParserOptions {
  /** Largest message payload (all fragments together; after inflation when compressed). */
  maxMessageBytes: number;
  /**
   * Each fragment of a fragmented message counts at least this many bytes
   * toward `maxMessageBytes`, so a flood of tiny fragments reaches the limit
   * after `maxMessageBytes / minFragmentBytes` frames, not one frame per
   * byte (each frame is work, whatever it carries). 0 counts payload only.
   */
  minFragmentBytes?: number;
  /** Largest single frame, header included (the receive buffer holds one frame at most). */
  maxFrameBytes: number;
  /** A server requires masked frames and a client requires unmasked ones (§5.1). */
  expectMasked: boolean;
  /** permessage-deflate is in use (RFC 7692): RSV1 marks a compressed message. */
  deflate: boolean;
}

const EMPTY = Buffer.alloc(0);
/** 2^53: lengths above it cannot be represented exactly and exceed any limit anyway. */
const MAX_SAFE_HIGH_WORD = 0x1fffff;

/**
 * The receiving side of RFC 6455 framing, for one connection.
 *
 *      0                   1                   2                   3
 *      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *     +-+-+-+-+-------+-+-------------+-------------------------------+
 *     |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *     |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *     |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *     | |1|2|3|       |K|             |                               |
 *     +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *     |     Extended payload length continued, if payload len == 127  |
 *     + - - - - - - - - - - - - - - - +-------------------------------+
 *     |                               |Masking-key, if MASK set to 1  |
 *     +-------------------------------+-------------------------------+
 *     | Masking-key (continued)       |          Payload Data         |
 *     +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * Two steps, matching the codec contract: `measure` reads a header from the
 * bytes received so far and returns the whole frame's length, rejecting it
 * (protocol error or size limit) from the header alone, before any payload is
 * buffered; `frame` then takes exactly that frame, unmasks it in place and
 * applies the message rules: fragmentation, control frames between
 * fragments, UTF-8 validity of text across fragments, inflation.
 */
export class FrameParser {
  readonly options: FrameParserOptions;

  // The header read by the last successful `measure`.
  #fin = false;
  /** What the data frame announced counts toward the message limit. */
  #nextCost = 0;
  #compressed = false;
  #opcode = 0;
  #masked = false;
  #headerBytes = 0;

  // The message being reassembled (opcode 0 when none).
  #messageOpcode = 0;
  #messageCompressed = false;
  /** Made for the first fragmented message: most connections never send one. */
  #fragments: FragmentBuffer | null = null;
  /** What the message counts toward the limit: its bytes, each fragment at least minFragmentBytes. */
  #messageCost = 0;
  #fragmentCount = 0;
  #utf8: Utf8Validator | null = null;

  /** Results of the last `measure` / `frame` call, read according to the event. */
  message: Buffer = EMPTY;
  messageIsText = false;
  closeCode: number = CloseCode.NO_STATUS;
  closeReason = '';
  errorCode = 0;
  errorReason = '';

  constructor(options: FrameParserOptions) {
    this.options = options;
  }

  /** Bytes held for a fragmented message not yet complete. */
  get bufferedMessageBytes(): number {
    return this.#fragments?.length ?? 0;
  }

  /**
   * The length of the frame starting at `buffer[0]`: 0 while its header is
   * incomplete, -1 when it must be refused (`errorCode` / `errorReason`).
   */
  measure(buffer: Buffer): number {
    if (buffer.length < 2) return 0;
    const b0 = buffer[0] as number;
    const b1 = buffer[1] as number;
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;

    if ((b0 & 0x30) !== 0) return this.#refuse(CloseCode.PROTOCOL_ERROR, 'RSV2/RSV3 set');
    const control = opcode >= 0x8;
    if (control) {
      if (opcode > Opcode.PONG)
        return this.#refuse(CloseCode.PROTOCOL_ERROR, `reserved opcode ${opcode}`);
      // §5.5: control frames are never fragmented and carry at most 125 bytes.
      if (!fin) return this.#refuse(CloseCode.PROTOCOL_ERROR, 'fragmented control frame');
      if (length > 125)
        return this.#refuse(CloseCode.PROTOCOL_ERROR, 'control frame over 125 bytes');
      if (rsv1) return this.#refuse(CloseCode.PROTOCOL_ERROR, 'RSV1 set on a control frame');
    } else {
      if (opcode > Opcode.BINARY)
        return this.#refuse(CloseCode.PROTOCOL_ERROR, `reserved opcode ${opcode}`);
      if (opcode === Opcode.CONTINUATION) {
        if (this.#messageOpcode === 0) {
          return this.#refuse(
            CloseCode.PROTOCOL_ERROR,
            'continuation frame without a message to continue',
          );
        }
        // RFC 7692 §6.1: RSV1 marks the first frame of a compressed message only.
        if (rsv1) return this.#refuse(CloseCode.PROTOCOL_ERROR, 'RSV1 set on a continuation frame');
      } else {
        if (this.#messageOpcode !== 0) {
          return this.#refuse(
            CloseCode.PROTOCOL_ERROR,
            'new message before the fragmented one ended',
          );
        }
        if (rsv1 && !this.options.deflate) {
          return this.#refuse(CloseCode.PROTOCOL_ERROR, 'RSV1 set without permessage-deflate');
        }
      }
    }
    if (masked !== this.options.expectMasked) {
      return this.#refuse(
        CloseCode.PROTOCOL_ERROR,
        masked ? 'masked frame from a server' : 'unmasked frame from a client',
      );
    }

    let headerBytes = 2;
    if (length === 126) {
      if (buffer.length < 4) return 0;
      length = buffer.readUInt16BE(2);
      headerBytes = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return 0;
      const high = buffer.readUInt32BE(2);
      // §5.2: the most significant bit of a 64-bit length must be 0.
      if (high & 0x80000000)
        return this.#refuse(CloseCode.PROTOCOL_ERROR, '64-bit length with its top bit set');
      if (high > MAX_SAFE_HIGH_WORD) {
        return this.#refuse(CloseCode.MESSAGE_TOO_BIG, `frame of over 2^53 bytes announced`);
      }
      length = high * 0x100000000 + buffer.readUInt32BE(6);
      headerBytes = 10;
    }
    if (masked) headerBytes += 4;

    const { maxFrameBytes, maxMessageBytes } = this.options;
    if (headerBytes + length > maxFrameBytes) {
      return this.#refuse(
        CloseCode.MESSAGE_TOO_BIG,
        `frame of ${headerBytes + length} bytes announced, over the limit of ${maxFrameBytes}`,
      );
    }
    if (!control) {
      // A whole message in one frame counts its payload; a fragment at least minFragmentBytes.
      const fragment = !fin || opcode === Opcode.CONTINUATION;
      const cost = fragment ? Math.max(length, this.options.minFragmentBytes ?? 0) : length;
      if (this.#messageCost + cost > maxMessageBytes) {
        return this.#refuse(CloseCode.MESSAGE_TOO_BIG, this.#overLimit(length, cost));
      }
      this.#nextCost = cost;
    }
    this.#fin = fin;
    this.#compressed = rsv1;
    this.#opcode = opcode;
    this.#masked = masked;
    this.#headerBytes = headerBytes;
    return headerBytes + length;
  }

  /** Handles the frame `measure` announced, given as exactly its bytes. */
  frame(packet: Buffer): FrameEventValue {
    const headerBytes = this.#headerBytes;
    const payload = packet.subarray(headerBytes);
    if (this.#masked && payload.length > 0) unmask(payload, packet, headerBytes - 4);
    switch (this.#opcode) {
      case Opcode.PING:
        this.message = payload;
        return FrameEvent.PING;
      case Opcode.PONG:
        this.message = payload;
        return FrameEvent.PONG;
      case Opcode.CLOSE:
        return this.#close(payload);
      default:
        return this.#data(payload);
    }
  }

  /** Forgets any partial message (the connection is closing). */
  reset(): void {
    this.#messageOpcode = 0;
    this.#fragments?.clear();
    this.#messageCost = 0;
    this.#fragmentCount = 0;
    this.#utf8 = null;
    this.message = EMPTY;
  }

  #overLimit(length: number, cost: number): string {
    const limit = this.options.maxMessageBytes;
    if (this.#fragmentCount === 0 && cost === length) {
      return `message of over ${length} bytes, over the limit of ${limit}`;
    }
    const bytes = this.bufferedMessageBytes + length;
    return (
      `message of over ${bytes} bytes in ${this.#fragmentCount + 1} fragments, counted as ` +
      `${this.#messageCost + cost} (each fragment at least ${this.options.minFragmentBytes ?? 0} bytes), ` +
      `over the limit of ${limit}`
    );
  }

  #data(payload: Buffer): FrameEventValue {
    if (this.#opcode !== Opcode.CONTINUATION) {
      this.#messageOpcode = this.#opcode;
      this.#messageCompressed = this.#compressed;
    }
    const text = this.#messageOpcode === Opcode.TEXT;
    const compressed = this.#messageCompressed;

    if (this.#fin && this.#opcode !== Opcode.CONTINUATION) {
      // The common case: a whole message in one frame.
      this.#messageOpcode = 0;
      return this.#complete(payload, text, compressed);
    }
    // Text is checked fragment by fragment so bad UTF-8 fails at once (§8.1);
    // compressed text can only be checked once inflated.
    if (text && !compressed) {
      this.#utf8 ??= new Utf8Validator();
      if (!this.#utf8.write(payload)) {
        return this.#fail(CloseCode.INVALID_PAYLOAD, 'text message is not valid UTF-8');
      }
    }
    this.#fragments ??= new FragmentBuffer();
    const fragments = this.#fragments;
    fragments.append(payload);
    this.#messageCost += this.#nextCost;
    this.#fragmentCount++;
    if (!this.#fin) return FrameEvent.NONE;

    const whole = fragments.take();
    const utf8 = this.#utf8;
    this.reset();
    if (utf8 !== null && !utf8.complete) {
      return this.#fail(CloseCode.INVALID_PAYLOAD, 'text message ends inside a UTF-8 sequence');
    }
    return this.#complete(whole, text, compressed, utf8 !== null);
  }

  /**
   * After `COMPRESSED`: the message as inflated, null when it would have
   * inflated past `limit` bytes, or the error of data that is not DEFLATE.
   */
  inflated(result: Buffer | null | Error, limit: number): FrameEventValue {
    if (result instanceof Error) {
      return this.#fail(
        CloseCode.INVALID_PAYLOAD,
        `compressed message does not inflate: ${result.message}`,
      );
    }
    if (result === null) {
      return this.#fail(
        CloseCode.MESSAGE_TOO_BIG,
        `compressed message inflates past the limit of ${limit} bytes`,
      );
    }
    return this.#complete(result, this.messageIsText, false);
  }

  #complete(
    data: Buffer,
    text: boolean,
    compressed: boolean,
    utf8Checked = false,
  ): FrameEventValue {
    this.message = data;
    this.messageIsText = text;
    if (compressed) return FrameEvent.COMPRESSED;
    if (text && !utf8Checked && !isUtf8(data)) {
      return this.#fail(CloseCode.INVALID_PAYLOAD, 'text message is not valid UTF-8');
    }
    return FrameEvent.MESSAGE;
  }

  /** §5.5.1: an optional 2-byte code, then an optional UTF-8 reason. */
  #close(payload: Buffer): FrameEventValue {
    if (payload.length === 0) {
      this.closeCode = CloseCode.NO_STATUS;
      this.closeReason = '';
      return FrameEvent.CLOSE;
    }
    if (payload.length === 1)
      return this.#fail(CloseCode.PROTOCOL_ERROR, 'close frame with a 1-byte body');
    const code = payload.readUInt16BE(0);
    if (!isValidCloseCode(code))
      return this.#fail(CloseCode.PROTOCOL_ERROR, `invalid close code ${code}`);
    const reason = payload.subarray(2);
    if (!isUtf8(reason))
      return this.#fail(CloseCode.INVALID_PAYLOAD, 'close reason is not valid UTF-8');
    this.closeCode = code;
    this.closeReason = reason.toString('utf8');
    return FrameEvent.CLOSE;
  }

  #refuse(code: number, reason: string): -1 {
    this.errorCode = code;
    this.errorReason = reason;
    return -1;
  }

  #fail(code: number, reason: string): FrameEventValue {
    this.reset();
    this.errorCode = code;
    this.errorReason = reason;
    return FrameEvent.ERROR;
  }
}
