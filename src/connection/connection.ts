import type { Callback } from '../callbacks.js';
import type { WorkermanError } from '../errors.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TransportName } from '../transport/address.js';

export type { Callback } from '../callbacks.js';

/** `onError(connection, code, message, error)`: `code` is the origin's number, `error.code` the precise `WM_ERR_*`. */
export type ErrorCallback<C> = Callback<
  [connection: C, code: number, message: string, error: WorkermanError]
>;

/**
 * The worker a connection belongs to, as a connection sees it: what the
 * origin's `$connection->worker` is used for (its name, its process index,
 * the other connections of this process, for a broadcast). A `Worker` is one;
 * the connection layer does not import the worker layer above it.
 */
export interface ConnectionOwner {
  readonly name: string;
  /** Index of this process among the worker's `count` processes. */
  readonly id: number;
  readonly count: number;
  /** This process's live connections of the worker, by connection id. */
  readonly connections: Map<number, ConnectionInterface<object>>;
  getSocketName(): string;
}

/**
 * The default type of `connection.context`: an object that takes any
 * property, as PHP's `$connection->uid = 1`. A worker's `context` option
 * gives it a precise type.
 */
export type ConnectionContext = Record<string, unknown>;

/** What every connection shares: TCP, TLS, unix and UDP, accepted or outbound. */
export abstract class ConnectionInterface<Context extends object = object> {
  /** `onError` code: an outbound connection could not be established. */
  static readonly CONNECT_FAIL = 1;
  /** `onError` code: a send was refused (buffer full or connection closed). */
  static readonly SEND_FAIL = 2;

  /** The codec, or `null` for raw bytes. */
  protocol: Protocol<unknown, unknown> | null = null;
  transport: TransportName = 'tcp';
  /** Called when the connection reports a problem: a refused send, bad input, a failing callback. */
  onError: ErrorCallback<this> | null = null;

  #context: Context | undefined;
  /** Makes `context` on first read; the worker's `context` option. */
  contextFactory: (() => Context) | null = null;

  /**
   * The app's own per-connection state (the origin's `$connection->context`).
   * Made on first read, by the worker's `context` option or as `{}`, so a
   * connection that never uses it costs nothing.
   */
  get context(): Context {
    this.#context ??= this.contextFactory ? this.contextFactory() : ({} as Context);
    return this.#context;
  }

  set context(value: Context) {
    this.#context = value;
  }

  abstract send(data: unknown, raw?: boolean): boolean | null;
  abstract close(data?: unknown, raw?: boolean): void;
  abstract getRemoteIp(): string;
  abstract getRemotePort(): number;
  abstract getLocalIp(): string;
  abstract getLocalPort(): number;

  /** `ip:port`, with IPv6 addresses in brackets. */
  getRemoteAddress(): string {
    return joinHostPort(this.getRemoteIp(), this.getRemotePort());
  }

  getLocalAddress(): string {
    return joinHostPort(this.getLocalIp(), this.getLocalPort());
  }

  isIpV4(): boolean {
    const ip = this.getRemoteIp();
    return ip !== '' && (!ip.includes(':') || ip.startsWith('::ffff:'));
  }

  isIpV6(): boolean {
    const ip = this.getRemoteIp();
    return ip.includes(':') && !ip.startsWith('::ffff:');
  }

  /** A short description for error messages: which connection, from where, to which listener. */
  abstract describe(): string;
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
