import type { Protocol } from './protocol.js';

const HEADER_BYTES = 4;

/**
 * `frame://`: a 4-byte big-endian unsigned length that counts the whole
 * packet (header included), then the body.
 *
 *     0               4
 *     +---------------+--------------------+
 *     | total length  | body (length - 4)  |
 *     +---------------+--------------------+
 */
export const Frame: Protocol<Buffer, Buffer | Uint8Array | string> = {
  input(buffer) {
    if (buffer.length < HEADER_BYTES) return 0;
    const total = buffer.readUInt32BE(0);
    return total < HEADER_BYTES ? -1 : total;
  },

  decode(packet) {
    return packet.subarray(HEADER_BYTES);
  },

  encode(data) {
    if (typeof data === 'string') {
      const bodyBytes = Buffer.byteLength(data);
      const out = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
      out.writeUInt32BE(HEADER_BYTES + bodyBytes, 0);
      out.write(data, HEADER_BYTES);
      return out;
    }
    const out = Buffer.allocUnsafe(HEADER_BYTES + data.length);
    out.writeUInt32BE(HEADER_BYTES + data.length, 0);
    out.set(data, HEADER_BYTES);
    return out;
  },

  /** The encoding depends on the data alone: one prepared message serves every connection. */
  sharedEncodingKey() {
    return '';
  },
};
