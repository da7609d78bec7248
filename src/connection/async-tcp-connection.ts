import type { Socket } from 'node:net';
import { nodeTls } from '../builtins.js';
import { invokeCallback } from '../callbacks.js';
import { CONNECT_FAIL, ErrorCodes, SEND_FAIL, WorkermanError } from '../errors.js';
import { debugConnection } from '../log.js';
import type { DecodedOf, EncodableOf } from '../protocols/protocol.js';
import { Protocols } from '../protocols/schemes.js';
import type { WebSocketResponse } from '../protocols/websocket/websocket-types.js';
import { statistics } from '../statistics.js';
import { type ListenAddress, parseAddress } from '../transport/address.js';
import type { ContextOptions } from '../transport/context-options.js';
import { readIntoOption } from '../transport/read-buffer.js';
import { tlsClientOptions } from '../transport/tls.js';
import type { Callback, ConnectionContext } from './connection.js';
import { ConnectionStatus, socketOnRead, TcpConnection } from './tcp-connection.js';

const { connect: connectTcp } = process.getBuiltinModule('node:net');

/**
 * An outbound stream connection: `new AsyncTcpConnection('text://127.0.0.1:1234')`,
 * then `connect()`. Messages sent before the connection is up wait in a
 * queue bounded by `maxSendBufferSize`. `reconnect(seconds)` reuses the
 * object with its callbacks, typically from `onClose`.
 *
 * Schemes: `tcp`, `unix` and `ssl` for raw bytes, or any codec name
 * (`text`, `frame`, registered ones); `transport = 'ssl'` adds TLS to a codec.
 */
export class AsyncTcpConnection<Address extends string = string> extends TcpConnection<
  DecodedOf<Address>,
  EncodableOf<Address>,
  ConnectionContext
> {
  /** Called once the connection (and its TLS handshake) is up. */
  onConnect: Callback<[connection: this]> | null = null;
  /**
   * `ws://`, `wss://`: called once the server's 101 answer was checked;
   * messages may be sent from here. Declared only, as on `TcpConnection`.
   */
  declare onWebSocketConnect?: Callback<[connection: this, response: WebSocketResponse]> | null;

  readonly #remoteAddress: string;
  readonly #remote: ListenAddress;
  readonly #context: ContextOptions;
  #queue: (Buffer | string)[] = [];
  #queuedBytes = 0;
  #reconnectTimer: NodeJS.Timeout | null = null;

  constructor(remoteAddress: Address, contextOptions: ContextOptions = {}) {
    super();
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(remoteAddress)?.[1]?.toLowerCase() ?? '';
    // A codec may imply TLS (`wss://`): then the default port is 443 too.
    const impliesTls = scheme === 'ssl' || Protocols.get(scheme)?.transport === 'ssl';
    this.#remote = parseAddress(remoteAddress, impliesTls ? 443 : 80);
    this.#remoteAddress = remoteAddress;
    this.#context = contextOptions;
    this.transport = this.#remote.transport;
    if (this.#remote.scheme.toLowerCase() !== this.#remote.transport) {
      const codec = Protocols.get(this.#remote.scheme);
      if (codec === undefined) {
        throw new WorkermanError(
          ErrorCodes.UNKNOWN_SCHEME,
          `AsyncTcpConnection("${remoteAddress}"): no codec is registered as "${this.#remote.scheme}"`,
        );
      }
      this.protocol = codec;
      if (codec.transport) this.transport = codec.transport;
    }
  }

  /** The host as given in the address (no port). */
  getRemoteHost(): string {
    return this.#remote.transport === 'unix' ? this.#remote.path : this.#remote.host;
  }

  /** The address as given to the constructor. */
  getRemoteURI(): string {
    return this.#remoteAddress;
  }

  /** Path and query of the address (`/chat?room=1`), for codecs that send one. */
  getRemoteResource(): string {
    return this.#remote.resource || '/';
  }

  override getRemoteIp(): string {
    return super.getRemoteIp() || this.getRemoteHost();
  }

  override getRemotePort(): number {
    return super.getRemotePort() || this.#remote.port;
  }

  /** Opens the connection; a no-op while connecting or connected. */
  connect(): void {
    if (
      this.status === ConnectionStatus.CONNECTING ||
      this.status === ConnectionStatus.ESTABLISHED
    ) {
      return;
    }
    this.#clearReconnectTimer();
    if (this.socket) this.detachSocket();
    this.status = ConnectionStatus.CONNECTING;
    const socket = this.#openSocket();
    this.attachSocket(socket);
    socket.once('error', (error) => {
      if (this.socket === socket && this.status === ConnectionStatus.CONNECTING) {
        this.reportError(
          CONNECT_FAIL,
          new WorkermanError(
            ErrorCodes.CONNECT_FAILED,
            `cannot connect to ${this.#remoteAddress}: ${error.message}`,
            { cause: error },
          ),
        );
      }
    });
    socket.once(this.transport === 'ssl' ? 'secureConnect' : 'connect', () => {
      if (this.socket === socket) this.#connected();
    });
  }

  /**
   * Connects again after `seconds` (0: at once), keeping callbacks and queued
   * messages. A live connection is dropped first, without `onClose`.
   */
  reconnect(seconds = 0): void {
    this.#clearReconnectTimer();
    if (this.socket) this.detachSocket();
    this.status = ConnectionStatus.INITIAL;
    if (seconds > 0) {
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = null;
        this.connect();
      }, seconds * 1000);
    } else {
      this.connect();
    }
  }

  /** Cancels a reconnect scheduled by `reconnect(seconds)`. */
  cancelReconnect(): void {
    this.#clearReconnectTimer();
  }

  override close(data?: EncodableOf<Address>, raw = false): void {
    this.#clearReconnectTimer();
    if (this.status === ConnectionStatus.CONNECTING) {
      // Closing before the connection is up: what was queued is dropped.
      this.#queue = [];
      this.#queuedBytes = 0;
    }
    super.close(data, raw);
  }

  override destroy(): void {
    this.#clearReconnectTimer();
    super.destroy();
  }

  protected override queueBeforeConnect(payload: Buffer | string): boolean | null {
    if (this.#queuedBytes >= this.maxSendBufferSize) {
      statistics.sendFail++;
      this.reportError(
        SEND_FAIL,
        new WorkermanError(
          ErrorCodes.SEND_BUFFER_FULL,
          `send queue full on ${this.describe()} before connecting: ${this.#queuedBytes} bytes waiting, maxSendBufferSize ${this.maxSendBufferSize}; the package was dropped`,
        ),
      );
      return false;
    }
    this.#queue.push(payload);
    this.#queuedBytes += payload.length;
    if (this.#queuedBytes >= this.maxSendBufferSize) this.markBufferFull();
    return null;
  }

  #openSocket(): Socket {
    const remote = this.#remote;
    const onread = readIntoOption(socketOnRead);
    if (remote.transport === 'unix') return connectTcp({ path: remote.path, onread });
    const bindTo = this.#context.socket?.bindTo;
    const localAddress = bindTo?.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const common = {
      host: remote.host,
      port: remote.port,
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 55_000,
      ...(localAddress && { localAddress }),
    };
    if (this.transport === 'ssl') {
      return nodeTls().connect({ ...tlsClientOptions(this.#context.ssl, remote.host), ...common });
    }
    return connectTcp({ ...common, onread });
  }

  #connected(): void {
    this.markEstablished();
    debugConnection('%s connected', this.describe());
    if (this.#queue.length > 0) {
      const queue = this.#queue;
      this.#queue = [];
      this.#queuedBytes = 0;
      this.flushQueued(queue);
    }
    if (this.protocol?.onConnect) {
      try {
        this.protocol.onConnect(this);
      } catch (error) {
        debugConnection('codec onConnect threw on %s: %s', this.describe(), error);
        this.destroy();
        return;
      }
    }
    const onConnect = this.onConnect;
    if (onConnect) invokeCallback(this, 'onConnect', onConnect, this, undefined);
  }

  #clearReconnectTimer(): void {
    if (this.#reconnectTimer) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
  }
}
