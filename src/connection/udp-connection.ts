import type { Socket } from 'node:dgram';
import { invokeCallback, invokeErrorCallback } from '../callbacks.js';
import { ErrorCodes, PROTOCOL_FAIL, WorkermanError } from '../errors.js';
import { debugConnection } from '../log.js';
import { NO_MESSAGE, type Protocol, type RawSendable } from '../protocols/protocol.js';
import { statistics } from '../statistics.js';
import type { TransportName } from '../transport/address.js';
import {
  type Callback,
  ConnectionInterface,
  type ConnectionOwner,
  joinHostPort,
} from './connection.js';
import { toWritable } from './writable.js';

/** Largest UDP payload (IPv4 limit 65,507 bytes; 65,535 is the field's range). */
export const MAX_UDP_PACKAGE_SIZE = 65535;

/**
 * One peer of a UDP socket, as seen for one datagram: replies go back to the
 * sender. A fresh object per datagram, as in the origin; UDP has no
 * connection to keep.
 */
export class UdpConnection<
  Decoded = unknown,
  Encodable = unknown,
  Context extends object = object,
> extends ConnectionInterface<Context> {
  /** The worker whose socket received the datagram; `null` for outbound sockets. */
  worker: ConnectionOwner | null = null;
  onMessage: Callback<[connection: this, data: Decoded]> | null = null;
  onClose: Callback<[connection: this]> | null = null;
  override transport: TransportName = 'udp';

  protected socket: Socket | null;
  protected remoteIp: string;
  protected remotePort: number;

  constructor(
    socket: Socket | null,
    remoteIp: string,
    remotePort: number,
    protocol: Protocol<unknown, unknown> | null = null,
  ) {
    super();
    this.socket = socket;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
    this.protocol = protocol;
  }

  /** Sends one datagram to the peer. `false` when there is no socket or the codec encoded nothing. */
  send(data: Encodable | RawSendable, raw = false): boolean | null {
    const socket = this.socket;
    if (socket === null) return false;
    const payload = encodeDatagram(this, data, raw);
    if (payload.length === 0) return null;
    socket.send(payload, this.remotePort, this.remoteIp, (error) => {
      if (error)
        debugConnection('udp send to %s failed: %s', this.getRemoteAddress(), error.message);
    });
    return true;
  }

  /** Sends `data` if given. A UDP peer has nothing to close. */
  close(data?: Encodable | RawSendable, raw = false): void {
    if (data !== undefined) this.send(data, raw);
  }

  getRemoteIp(): string {
    return this.remoteIp;
  }

  getRemotePort(): number {
    return this.remotePort;
  }

  getLocalIp(): string {
    return this.socket?.address().address ?? '';
  }

  getLocalPort(): number {
    return this.socket?.address().port ?? 0;
  }

  describe(): string {
    const listener = this.worker ? ` on ${this.worker.getSocketName()}` : '';
    return `udp peer ${joinHostPort(this.remoteIp, this.remotePort)}${listener}`;
  }

  /**
   * Decodes a datagram and delivers its packets. With a codec, a datagram may
   * hold several packets; a trailing incomplete packet is dropped (a datagram
   * never continues in the next one).
   */
  receiveDatagram(datagram: Buffer): void {
    const protocol = this.protocol;
    if (protocol === null) {
      this.#deliver(datagram);
      return;
    }
    let offset = 0;
    while (offset < datagram.length) {
      const rest = offset === 0 ? datagram : datagram.subarray(offset);
      let length: number;
      let data: unknown;
      try {
        length = protocol.input(rest, this);
        if (length === 0 || length > rest.length) {
          this.#reject(`an incomplete packet (${rest.length} bytes) ended the datagram`);
          return;
        }
        if (!Number.isInteger(length) || length < 0) {
          this.#reject(`codec input() rejected the datagram (returned ${length})`);
          return;
        }
        data = protocol.decode(length === rest.length ? rest : rest.subarray(0, length), this);
      } catch (cause) {
        this.#reject(`the codec threw: ${(cause as Error)?.message ?? cause}`, cause);
        return;
      }
      offset += length;
      if (data !== NO_MESSAGE) this.#deliver(data);
    }
  }

  #deliver(data: unknown): void {
    statistics.totalRequest++;
    const onMessage = this.onMessage;
    if (onMessage) invokeCallback(this, 'onMessage', onMessage, this, data as Decoded);
  }

  #reject(why: string, cause?: unknown): void {
    const error = new WorkermanError(
      ErrorCodes.BAD_PACKET,
      `bad datagram from ${this.describe()}: ${why}`,
      cause === undefined ? undefined : { cause },
    );
    debugConnection('%s', error.message);
    statistics.packetErr++;
    if (this.onError) invokeErrorCallback(this, this.onError, PROTOCOL_FAIL, error);
  }
}

/** Encodes one datagram payload (shared with AsyncUdpConnection). */
export function encodeDatagram(
  connection: ConnectionInterface,
  data: unknown,
  raw: boolean,
): Buffer | string {
  const protocol = connection.protocol;
  return toWritable(raw || protocol === null ? data : protocol.encode(data, connection));
}
