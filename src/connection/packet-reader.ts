import { ErrorCodes, WorkermanError } from '../errors.js';
import { NO_MESSAGE, type Protocol } from '../protocols/protocol.js';
import type { ConnectionInterface } from './connection.js';
import { ReceiveBuffer } from './receive-buffer.js';

/** What the reader needs from the connection it reads for. */
export interface PacketSink {
  readonly connection: ConnectionInterface;
  /** `false` while receiving is paused or the connection is closing. */
  readonly isReceiving: boolean;
  readonly maxPackageSize: number;
  /** Called with each decoded packet; `more` tells whether bytes after it are already here. */
  deliver(data: unknown, more: boolean): void;
  /** Called once when the bytes received are unacceptable; the sink closes the connection. */
  reject(error: WorkermanError): void;
}

/**
 * The `input` -> wait for N bytes -> `decode` loop.
 *
 * Chunks are parsed in place while nothing is buffered (the common case: whole
 * packets per chunk, no copy). Only a trailing partial packet is copied into
 * the receive buffer. Once `input` has announced a length, `input` is not
 * called again until that many bytes are present; the buffer grows with what
 * arrives (linear copying, within 4x of it) and ends at exactly the announced
 * length, so a length announced with a few bytes costs a few bytes.
 */
export class PacketReader {
  readonly #sink: PacketSink;
  #protocol: Protocol<unknown, unknown>;
  #pending: ReceiveBuffer | null = null;
  /** The announced length of the packet being collected; 0 while unknown. */
  #expected = 0;
  /** True inside #parse: a resumeRecv() from a callback lets the running loop go on. */
  #parsing = false;

  constructor(sink: PacketSink, protocol: Protocol<unknown, unknown>) {
    this.#sink = sink;
    this.#protocol = protocol;
  }

  /**
   * Continues with another codec (a protocol upgrade). Only between packets:
   * bytes already received and not yet decoded go to the new codec.
   */
  setProtocol(protocol: Protocol<unknown, unknown>): void {
    this.#protocol = protocol;
    this.#expected = 0;
  }

  /** Bytes received and not yet delivered. */
  get bufferedBytes(): number {
    return this.#pending?.length ?? 0;
  }

  /**
   * Takes the next chunk read from the socket. `transient` chunks are views
   * into a read buffer that is reused once this call returns: whatever must
   * outlive the call (a partial packet, a packet for a codec that keeps
   * references) is copied.
   */
  push(chunk: Buffer, transient = false): void {
    const pending = this.#pending;
    if (pending === null || pending.length === 0) {
      this.#parse(chunk, false, transient);
      return;
    }
    if (!this.#sink.isReceiving) {
      pending.append(chunk);
      return;
    }
    if (this.#expected > 0) {
      const missing = this.#expected - pending.length;
      if (chunk.length < missing) {
        pending.append(chunk);
        return;
      }
      // Complete the announced packet from the buffer, then go on with the
      // rest of the chunk in place: the buffer never holds more than one packet.
      pending.append(chunk.subarray(0, missing));
      const packet = pending.view();
      this.#expected = 0;
      pending.clear();
      this.#emit(packet, chunk.length > missing);
      if (chunk.length > missing) this.#parse(chunk.subarray(missing), false, transient);
      return;
    }
    pending.append(chunk);
    this.#parse(pending.view(), true, false);
  }

  /** Parses what was buffered while receiving was paused. */
  resume(): void {
    if (this.#parsing) return;
    const pending = this.#pending;
    if (pending === null || pending.length === 0) return;
    if (this.#expected > pending.length) return;
    this.#parse(pending.view(), true, false);
  }

  /** Drops everything buffered (the connection is closing). */
  discard(): void {
    this.#pending?.clear();
    this.#expected = 0;
  }

  /**
   * Delivers every complete packet in `data`. When `fromBuffer` is true, `data`
   * is a view of the receive buffer and consumed bytes are released from it;
   * otherwise `data` is a fresh chunk and any remainder is copied in.
   */
  #parse(data: Buffer, fromBuffer: boolean, transient: boolean): void {
    this.#parsing = true;
    try {
      this.#parseLoop(data, fromBuffer, transient);
    } finally {
      this.#parsing = false;
    }
  }

  #parseLoop(data: Buffer, fromBuffer: boolean, transient: boolean): void {
    const sink = this.#sink;
    let offset = 0;
    while (offset < data.length && sink.isReceiving) {
      const rest = offset === 0 ? data : data.subarray(offset);
      let length = this.#expected;
      if (length === 0) {
        length = this.#measure(rest);
        if (length < 0) return; // rejected; the connection is closing
        if (length === 0) break;
      }
      if (rest.length < length) {
        this.#expected = length;
        break;
      }
      this.#expected = 0;
      let packet = length === rest.length ? rest : rest.subarray(0, length);
      if (transient && this.#protocol.decodeCopiesPacket !== true) packet = Buffer.from(packet);
      offset += length;
      if (!this.#emit(packet, offset < data.length)) return;
    }
    this.#keep(data, offset, fromBuffer);
  }

  /** Asks the codec for the next packet's length; -1 after rejecting the input. */
  #measure(rest: Buffer): number {
    const sink = this.#sink;
    let length: number;
    try {
      length = this.#protocol.input(rest, sink.connection);
    } catch (cause) {
      sink.reject(
        new WorkermanError(
          ErrorCodes.BAD_PACKET,
          `codec input() threw on ${sink.connection.describe()}: ${(cause as Error)?.message ?? cause}`,
          { cause },
        ),
      );
      return -1;
    }
    if (!Number.isInteger(length) || length < 0) {
      sink.reject(
        new WorkermanError(
          ErrorCodes.BAD_PACKET,
          `codec input() rejected the bytes received on ${sink.connection.describe()} (returned ${length})`,
        ),
      );
      return -1;
    }
    const limit = sink.maxPackageSize;
    if (length > limit) {
      sink.reject(
        new WorkermanError(
          ErrorCodes.PACKAGE_TOO_LARGE,
          `a packet of ${length} bytes was announced on ${sink.connection.describe()}, over maxPackageSize ${limit}`,
        ),
      );
      return -1;
    }
    if (length === 0 && rest.length >= limit) {
      sink.reject(
        new WorkermanError(
          ErrorCodes.PACKAGE_TOO_LARGE,
          `${rest.length} bytes arrived on ${sink.connection.describe()} without a complete packet, reaching maxPackageSize ${limit}`,
        ),
      );
      return -1;
    }
    return length;
  }

  /** Decodes and delivers one packet; false when the codec rejected it. */
  #emit(packet: Buffer, more: boolean): boolean {
    const sink = this.#sink;
    let data: unknown;
    try {
      data = this.#protocol.decode(packet, sink.connection);
    } catch (cause) {
      sink.reject(
        new WorkermanError(
          ErrorCodes.BAD_PACKET,
          `codec decode() threw on ${sink.connection.describe()}: ${(cause as Error)?.message ?? cause}`,
          { cause },
        ),
      );
      return false;
    }
    if (data !== NO_MESSAGE) sink.deliver(data, more);
    return true;
  }

  #keep(data: Buffer, offset: number, fromBuffer: boolean): void {
    let pending: ReceiveBuffer;
    if (fromBuffer) {
      pending = this.#pending as ReceiveBuffer;
      pending.consume(offset);
    } else if (offset < data.length) {
      pending = this.#pending ??= new ReceiveBuffer();
      pending.expect(this.#expected);
      pending.append(data, offset);
      return;
    } else {
      return;
    }
    if (this.#expected > 0) pending.expect(this.#expected);
  }
}
