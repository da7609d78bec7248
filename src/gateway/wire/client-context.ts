/**
 * What a gateway tells a business worker about a client with each of its
 * events (the `ext` of ON_CONNECT / ON_MESSAGE / ON_CLOSE frames):
 *
 *     +-------+---------+-------------+-----------------+-----------------+
 *     | u8 n  | ip (n)  | u16 port    | u32 session ver | session (JSON)  |
 *     +-------+---------+-------------+-----------------+-----------------+
 *
 * The gateway builds it once per client and again only when the session
 * changes, so forwarding a message costs no serialisation. The session
 * version counts the gateway's session changes for that client: a business
 * worker that wrote a session knows from it whether the copy it is given
 * already holds its write (see business/session-cache.ts).
 */
export interface ClientContextFields {
  remoteIp: string;
  remotePort: number;
  sessionVersion: number;
  /** The session as JSON text; empty for a client without one. */
  sessionJson: string;
}

export function encodeClientContext(
  remoteIp: string,
  remotePort: number,
  sessionVersion: number,
  sessionJson: string,
): Buffer {
  const ipLength = Buffer.byteLength(remoteIp, 'latin1');
  const sessionLength = Buffer.byteLength(sessionJson);
  const out = Buffer.allocUnsafe(1 + ipLength + 6 + sessionLength);
  out[0] = ipLength;
  out.write(remoteIp, 1, 'latin1');
  out.writeUInt16BE(remotePort, 1 + ipLength);
  out.writeUInt32BE(sessionVersion >>> 0, 3 + ipLength);
  out.write(sessionJson, 7 + ipLength);
  return out;
}

export function decodeClientContext(ext: Buffer): ClientContextFields {
  const ipLength = ext[0] ?? 0;
  if (ext.length < 7 + ipLength) {
    throw new RangeError(`client context of ${ext.length} bytes is shorter than its header`);
  }
  return {
    remoteIp: ext.toString('latin1', 1, 1 + ipLength),
    remotePort: ext.readUInt16BE(1 + ipLength),
    sessionVersion: ext.readUInt32BE(3 + ipLength),
    sessionJson: ext.toString('utf8', 7 + ipLength),
  };
}
