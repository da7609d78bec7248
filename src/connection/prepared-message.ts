import type { Protocol } from '../protocols/protocol.js';
import type { ConnectionInterface } from './connection.js';
import { toWritable } from './writable.js';

/** The bytes of a message for connections without a codec (raw `tcp://`). */
const RAW = Symbol('raw');

/**
 * One message encoded once and sent, as the same bytes, to many connections
 * (a broadcast): `connection.sendPrepared(message)` or
 * `worker.broadcast(data)`.
 *
 * The bytes are built on first use for each codec and each encoding its
 * connections need (the codec's `sharedEncodingKey`: WebSocket connections
 * that negotiated different permessage-deflate window bits, or asked for
 * strings as binary frames, get their own frame; connections with the same
 * parameters share one). A connection whose codec cannot share an encoding
 * (no `sharedEncodingKey`, or `null` for it now: a WebSocket still in its
 * handshake, or with a compressed message still in flight) is sent the data
 * through its codec's `encode`, as `send` would.
 */
export class PreparedMessage<Data = unknown> {
  readonly data: Data;
  readonly #encodings = new Map<
    Protocol<unknown, unknown> | typeof RAW,
    Map<string, Buffer | string>
  >();

  constructor(data: Data) {
    this.data = data;
  }

  /** The shared bytes for `connection`; null when it must be sent the data through `encode`. */
  bytesFor(connection: ConnectionInterface): Buffer | string | null {
    const protocol = connection.protocol;
    const codec = protocol ?? RAW;
    const key = protocol === null ? '' : (protocol.sharedEncodingKey?.(connection) ?? null);
    if (key === null) return null;
    let byKey = this.#encodings.get(codec);
    if (byKey === undefined) {
      byKey = new Map();
      this.#encodings.set(codec, byKey);
    }
    let bytes = byKey.get(key);
    if (bytes === undefined) {
      bytes = encodeShared(protocol, this.data, connection);
      byKey.set(key, bytes);
    }
    return bytes;
  }
}

function encodeShared(
  protocol: Protocol<unknown, unknown> | null,
  data: unknown,
  connection: ConnectionInterface,
): Buffer | string {
  if (protocol === null) return toWritable(data as Buffer | Uint8Array | string);
  const encoded = protocol.encodeShared
    ? protocol.encodeShared(data, connection)
    : protocol.encode(data, connection);
  return typeof encoded === 'string' ? encoded : toWritable(encoded);
}
