import type { Socket } from 'node:dgram';
import { nodeDgram } from '../builtins.js';
import { invokeCallback, invokeErrorCallback } from '../callbacks.js';
import { CONNECT_FAIL, ErrorCodes, SEND_FAIL, WorkermanError } from '../errors.js';
import { debugConnection } from '../log.js';
import type { DecodedOf, EncodableOf, RawSendable } from '../protocols/protocol.js';
import { Protocols } from '../protocols/schemes.js';
import { statistics } from '../statistics.js';
import { parseAddress } from '../transport/address.js';
import type { ContextOptions } from '../transport/context-options.js';
import type { Callback, ConnectionContext } from './connection.js';
import { encodeDatagram, UdpConnection } from './udp-connection.js';

const { isIPv6 } = process.getBuiltinModule('node:net');

/**
 * An outbound UDP socket connected to one peer:
 * `new AsyncUdpConnection('text://127.0.0.1:1234')`. `send` before `connect`
 * connects first; datagrams sent meanwhile leave once connected, up to
 * `maxSendBufferSize` bytes of them.
 */
export class AsyncUdpConnection<Address extends string = string> extends UdpConnection<
  DecodedOf<Address>,
  EncodableOf<Address>,
  ConnectionContext
> {
  /** Default for `maxSendBufferSize`: 1 MiB. */
  static defaultMaxSendBufferSize = 1024 * 1024;

  /**
   * Bytes of datagrams that may wait for the socket to connect; a send that
   * would go past it is refused (`false`, `onError` with `SEND_FAIL` /
   * `WM_ERR_SEND_BUFFER_FULL`).
   */
  maxSendBufferSize = AsyncUdpConnection.defaultMaxSendBufferSize;
  onConnect: Callback<[connection: this]> | null = null;

  readonly #context: ContextOptions;
  #connected = false;
  #queue: (Buffer | string)[] = [];
  #queuedBytes = 0;
  #closeWhenConnected = false;

  constructor(remoteAddress: Address, contextOptions: ContextOptions = {}) {
    const remote = parseAddress(remoteAddress);
    super(null, remote.host, remote.port);
    this.#context = contextOptions;
    const scheme = remote.scheme.toLowerCase();
    if (scheme !== 'udp') {
      const codec = Protocols.get(remote.scheme);
      if (codec === undefined) {
        throw new WorkermanError(
          ErrorCodes.UNKNOWN_SCHEME,
          `AsyncUdpConnection("${remoteAddress}"): no codec is registered as "${remote.scheme}"`,
        );
      }
      this.protocol = codec;
    }
  }

  /** Binds a local socket and connects it to the peer; a no-op if already done. */
  connect(): void {
    if (this.socket) return;
    const socket: Socket = nodeDgram().createSocket(isIPv6(this.remoteIp) ? 'udp6' : 'udp4');
    this.socket = socket;
    socket.on('message', (datagram) => this.receiveDatagram(datagram));
    socket.on('error', (error) => {
      const failure = new WorkermanError(
        ErrorCodes.CONNECT_FAILED,
        `udp socket to ${this.getRemoteAddress()} failed: ${error.message}`,
        { cause: error },
      );
      debugConnection('%s', failure.message);
      if (this.onError) invokeErrorCallback(this, this.onError, CONNECT_FAIL, failure);
    });
    const bindTo = this.#context.socket?.bindTo;
    const bind = (done: () => void) =>
      bindTo ? socket.bind(0, bindTo.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), done) : done();
    bind(() =>
      socket.connect(this.remotePort, this.remoteIp, () => {
        this.#connected = true;
        this.#queuedBytes = 0;
        for (const payload of this.#queue.splice(0)) socket.send(payload);
        if (this.#closeWhenConnected) {
          this.close();
          return;
        }
        const onConnect = this.onConnect;
        if (onConnect) invokeCallback(this, 'onConnect', onConnect, this, undefined);
      }),
    );
  }

  override send(data: EncodableOf<Address> | RawSendable, raw = false): boolean | null {
    if (this.socket === null) this.connect();
    const payload = encodeDatagram(this, data, raw);
    if (payload.length === 0) return null;
    if (!this.#connected) return this.#queueBeforeConnect(payload);
    (this.socket as Socket).send(payload);
    return true;
  }

  /** Sends `data` if given, then closes the socket; `onClose` follows. */
  override close(data?: EncodableOf<Address> | RawSendable, raw = false): void {
    if (data !== undefined) this.send(data, raw);
    const socket = this.socket;
    if (socket === null) return;
    if (!this.#connected && this.#queue.length > 0) {
      // Let what was sent before the connection was up leave first.
      this.#closeWhenConnected = true;
      return;
    }
    this.socket = null;
    this.#connected = false;
    this.#queue = [];
    this.#queuedBytes = 0;
    socket.close(() => {
      const onClose = this.onClose;
      if (onClose) invokeCallback(this, 'onClose', onClose, this, undefined);
    });
  }

  #queueBeforeConnect(payload: Buffer | string): boolean | null {
    const bytes = Buffer.byteLength(payload);
    if (this.#queuedBytes + bytes > this.maxSendBufferSize) {
      statistics.sendFail++;
      const error = new WorkermanError(
        ErrorCodes.SEND_BUFFER_FULL,
        `send queue full on ${this.describe()} before connecting: ${this.#queuedBytes} bytes waiting, a datagram of ${bytes} more, maxSendBufferSize ${this.maxSendBufferSize}; the datagram was dropped`,
      );
      debugConnection('%s', error.message);
      if (this.onError) invokeErrorCallback(this, this.onError, SEND_FAIL, error);
      return false;
    }
    this.#queue.push(payload);
    this.#queuedBytes += bytes;
    return null;
  }
}
