import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { CONNECT_FAIL, ErrorCodes, WorkermanError } from '../errors.js';
import { debugConnection } from '../log.js';
import type { DecodedOf, EncodableOf, RawSendable } from '../protocols/protocol.js';
import { Protocols } from '../protocols/schemes.js';
import type { ContextOptions } from '../transport/context-options.js';
import { invokeCallback, invokeErrorCallback } from '../worker/callbacks.js';
import { parseAddress } from '../worker/listen-address.js';
import type { Callback, ConnectionContext } from './connection.js';
import { encodeDatagram, UdpConnection } from './udp-connection.js';

/**
 * An outbound UDP socket connected to one peer:
 * `new AsyncUdpConnection('text://127.0.0.1:1234')`. `send` before `connect`
 * connects first; datagrams sent meanwhile leave once connected.
 */
export class AsyncUdpConnection<Address extends string = string> extends UdpConnection<
  DecodedOf<Address>,
  EncodableOf<Address>,
  ConnectionContext
> {
  onConnect: Callback<[connection: this]> | null = null;

  readonly #context: ContextOptions;
  #connected = false;
  #queue: (Buffer | string)[] = [];
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
    const socket: Socket = createSocket(isIPv6(this.remoteIp) ? 'udp6' : 'udp4');
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
    if (!this.#connected) {
      this.#queue.push(payload);
      return null;
    }
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
    socket.close(() => {
      const onClose = this.onClose;
      if (onClose) invokeCallback(this, 'onClose', onClose, this, undefined);
    });
  }
}
