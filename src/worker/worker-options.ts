import type { Callback, ConnectionContext } from '../connection/connection.js';
import type { TcpConnection } from '../connection/tcp-connection.js';
import type { UdpConnection } from '../connection/udp-connection.js';
import type {
  DecodedOf,
  DecodedOfCodec,
  EncodableOf,
  EncodableOfCodec,
  Protocol,
  SchemeTypes,
} from '../protocols/protocol.js';
import type { TransportName } from '../transport/address.js';
import type { ContextOptions } from '../transport/context-options.js';

/**
 * The second argument of `new Worker(address, options)`: the socket and TLS
 * context of the original, plus what would otherwise be set as properties
 * after construction. Given here, the types follow them:
 *
 *     new Worker('unix:///run/app.sock', { protocol: 'text' })   // data: string
 *     new Worker('text://0.0.0.0:5000', { transport: 'udp' })     // UdpConnection
 *     new Worker('text://0.0.0.0:2347', { context: () => ({ uid: 0 }) })
 *                                          // connection.context: { uid: number }
 */
export interface WorkerOptions extends ContextOptions {
  /**
   * The codec, or the name of a registered one; `null` for raw bytes.
   * Overrides the codec the address scheme selects.
   */
  protocol?: Protocol<unknown, unknown> | (keyof SchemeTypes & string) | (string & {}) | null;
  /** How the codec travels; overrides the transport the address implies. */
  transport?: TransportName;
  /**
   * Makes a connection's `context` the first time it is read; its return
   * type is the type of `connection.context`. Without it, `context` is an
   * empty object that takes any property (PHP's `$connection->uid = 1`).
   */
  context?: () => object;
}

type ProtocolOption<Options> = Options extends { protocol: infer Codec } ? [Codec] : [];

/** What `onMessage` receives: the `protocol` option's type, else the address scheme's. */
export type WorkerDecoded<Address extends string, Options> =
  ProtocolOption<Options> extends [infer Codec] ? DecodedOfCodec<Codec> : DecodedOf<Address>;

/** What `connection.send` takes. */
export type WorkerEncodable<Address extends string, Options> =
  ProtocolOption<Options> extends [infer Codec] ? EncodableOfCodec<Codec> : EncodableOf<Address>;

/** The transport: the `transport` option, else the address's (any of them for a plain `string`). */
export type WorkerTransport<Address extends string, Options> = Options extends {
  transport: infer Transport extends TransportName;
}
  ? Transport
  : string extends Address
    ? TransportName
    : Lowercase<Address> extends `udp://${string}`
      ? 'udp'
      : 'tcp';

/**
 * The type of `connection.context`: what the `context` option makes, else
 * an open object.
 */
export type WorkerContext<Options> = Options extends {
  context: () => infer Context extends object;
}
  ? Context
  : ConnectionContext;

/** The stream connection a worker accepts (`onConnect`, `onClose`, `connections`). */
export type WorkerTcpConnection<Address extends string, Options> = TcpConnection<
  WorkerDecoded<Address, Options>,
  WorkerEncodable<Address, Options>,
  WorkerContext<Options>
>;

/** The connection `onMessage` and `onError` receive: UDP, TCP, or either when the transport is only known at run time. */
export type ConnectionFor<Address extends string, Options = object> =
  WorkerTransport<Address, Options> extends 'udp'
    ? UdpConnection<
        WorkerDecoded<Address, Options>,
        WorkerEncodable<Address, Options>,
        WorkerContext<Options>
      >
    : 'udp' extends WorkerTransport<Address, Options>
      ?
          | WorkerTcpConnection<Address, Options>
          | UdpConnection<
              WorkerDecoded<Address, Options>,
              WorkerEncodable<Address, Options>,
              WorkerContext<Options>
            >
      : WorkerTcpConnection<Address, Options>;

/**
 * A WebSocket hook of a worker (`onWebSocketConnect`, `onWebSocketPing`, ...):
 * the connection it accepted, then what the hook adds (the upgrade
 * `Request`, a ping's data, ...).
 */
export type WorkerWebSocketHook<Address extends string, Options, Args extends unknown[]> = Callback<
  [connection: WorkerTcpConnection<Address, Options>, ...Args]
> | null;
