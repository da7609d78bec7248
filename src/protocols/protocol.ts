import type { CodecConnection } from './codec-connection.js';

/**
 * A codec: the Workerman contract of `input` / `decode` / `encode`, typed.
 *
 * The connection owns the buffering. It calls `input` with the bytes received
 * so far, starting at the next packet:
 *  - `0`: the packet length is not known yet; call again when more bytes arrive;
 *  - `N > 0`: the next packet is exactly N bytes; the connection then waits for
 *    N bytes without calling `input` again and passes exactly them to `decode`;
 *  - negative: the bytes are not valid for this codec; the connection reports
 *    `WM_ERR_BAD_PACKET` and closes.
 * N larger than the connection's `maxPackageSize` is refused before any buffer
 * of that size is allocated.
 *
 * A codec that needs per-connection state keeps it itself (a `WeakMap` keyed by
 * the connection), so a connection never knows a codec by name.
 */
export interface Protocol<Decoded = unknown, Encodable = unknown> {
  input(buffer: Buffer, connection: CodecConnection): number;
  /** `NO_MESSAGE` when the packet was for the codec itself (a handshake, a ping, a fragment). */
  decode(packet: Buffer, connection: CodecConnection): Decoded | typeof NO_MESSAGE;
  /** An empty result sends nothing (`send` then returns `null`). */
  encode(data: Encodable, connection: CodecConnection): Buffer | string;
  /**
   * `true` when `decode` keeps no reference to the packet's bytes (it returns
   * a string, or parses into new objects). Such a codec decodes straight out
   * of the socket's shared read buffer; for any other codec the connection
   * hands `decode` a private copy of the packet. `input` must never keep a
   * reference to the bytes it is shown.
   */
  readonly decodeCopiesPacket?: boolean;
  /** Called once a connection using this codec is established. */
  onConnect?(connection: CodecConnection): void;
  /** Called once a connection using this codec is closed. */
  onClose?(connection: CodecConnection): void;
  /**
   * Called by `close()` before the connection's end: bytes the codec owes the
   * peer in an orderly close (WebSocket's Close frame, RFC 6455 §5.5.1), sent
   * raw after the app's last message; empty or absent sends nothing.
   */
  onClosing?(connection: CodecConnection): Buffer | string | null;
  /**
   * Called once per connection when this process stops accepting, to reload
   * or stop. The codec winds the connection down without losing what the
   * peer has already sent: it finishes the exchange in progress, tells the
   * peer the connection ends where its protocol has a way to (HTTP answers
   * with `Connection: close`), and closes the connection itself. Whatever is
   * still open at `Worker.stopTimeout` is closed by the process. A codec
   * without this hook leaves the choice to the process: a plain stop closes
   * at once, a graceful one waits for the connection to end.
   */
  onDrain?(connection: CodecConnection): void;
  /**
   * Called when the peer of an accepted connection has finished sending
   * (its FIN: a half-close), after every byte it sent before has been
   * handed to `input`. The codec answers what it owes for those bytes, then
   * closes the connection. Without this hook the connection ends its own
   * side at once (after flushing what is queued).
   */
  onPeerEnd?(connection: CodecConnection): void;
  /**
   * The process is going away (a stop or reload that cannot wait any
   * longer): close this connection now, telling the peer in the protocol's
   * own words where it has them (WebSocket's 1001 Going Away, RFC 6455
   * §7.4.1, so the client may reconnect at once). Without this hook the
   * connection is simply closed.
   */
  onGoingAway?(connection: CodecConnection): void;
  /**
   * A transport the scheme implies (`wss` is WebSocket over TLS), so an
   * outbound address needs no `transport` setting; default port 443 for `ssl`.
   */
  readonly transport?: 'ssl';
  /**
   * For prepared messages (encode once, send to many; see
   * connection/prepared-message.ts): names everything the encoding depends
   * on for this connection besides the data (negotiated parameters, a
   * per-connection setting). Connections with equal keys are sent the same
   * bytes, built once by `encodeShared` (or `encode` without it). `null`, or
   * no hook at all, encodes for this connection alone through `encode`.
   */
  sharedEncodingKey?(connection: CodecConnection): string | null;
  /** Builds bytes that every connection with the same `sharedEncodingKey` can be sent as they are. */
  encodeShared?(data: Encodable, connection: CodecConnection): Buffer | string;
}

/**
 * What `decode` returns for a packet that carries no message for the app:
 * the connection then delivers nothing to `onMessage`.
 */
export const NO_MESSAGE: unique symbol = Symbol('workerman.noMessage');

/** What a raw connection (no codec) receives and sends. */
export type RawData = Buffer;
export type RawSendable = Buffer | Uint8Array | string;

/**
 * Maps an address scheme to the types its codec decodes and encodes, so that
 * `new Worker('text://0.0.0.0:1234')` types `onMessage`'s data as `string`.
 * A user codec joins by module augmentation:
 *
 *     declare module 'workerman-ts' {
 *       interface SchemeTypes { JsonNL: { decoded: unknown; encodable: unknown } }
 *     }
 */
export interface SchemeTypes {
  tcp: { decoded: RawData; encodable: RawSendable };
  ssl: { decoded: RawData; encodable: RawSendable };
  unix: { decoded: RawData; encodable: RawSendable };
  udp: { decoded: RawData; encodable: RawSendable };
  text: { decoded: string; encodable: string | Buffer };
  telnet: { decoded: string; encodable: string | Buffer };
  frame: { decoded: Buffer; encodable: Buffer | Uint8Array | string };
}

type SchemeOf<Address> = Address extends `${infer Scheme}://${string}` ? Scheme : never;

/**
 * Types for a scheme: a known scheme's own; for a scheme only known at run
 * time (an address read from configuration is a plain `string`), any known
 * scheme's, as a union to narrow; for a literal scheme that `SchemeTypes`
 * does not list (a user codec not added to it), `unknown`.
 */
type TypesOfScheme<Scheme, Key extends 'decoded' | 'encodable'> = [Scheme] extends [never]
  ? SchemeTypes[keyof SchemeTypes][Key]
  : string extends Scheme
    ? SchemeTypes[keyof SchemeTypes][Key]
    : Scheme extends keyof SchemeTypes
      ? SchemeTypes[Scheme][Key]
      : unknown;

/**
 * The decoded message type for an address such as `'text://0.0.0.0:1234'`;
 * for a plain `string` address, the union of every known scheme's.
 */
export type DecodedOf<Address> = TypesOfScheme<SchemeOf<Address>, 'decoded'>;

/** What `send` accepts for an address such as `'text://0.0.0.0:1234'`. */
export type EncodableOf<Address> = TypesOfScheme<SchemeOf<Address>, 'encodable'>;

/** The decoded type of a codec object, or of a codec named by a scheme. */
export type DecodedOfCodec<Codec> = Codec extends null
  ? RawData
  : Codec extends Protocol<infer Decoded, infer _Encodable>
    ? Decoded
    : Codec extends string
      ? TypesOfScheme<Codec, 'decoded'>
      : unknown;

/** What `send` accepts for a codec object, or for a codec named by a scheme. */
export type EncodableOfCodec<Codec> = Codec extends null
  ? RawSendable
  : Codec extends Protocol<infer _Decoded, infer Encodable>
    ? Encodable
    : Codec extends string
      ? TypesOfScheme<Codec, 'encodable'>
      : unknown;
