// The manual's file-upload protocol ("BinaryTransfer"): one packet per file.
//
//     0             4            5                   5 + name bytes
//     +-------------+------------+-------------------+------------------+
//     | total bytes | name bytes | file name (UTF-8) | file data        |
//     | uint32 BE   | uint8      |                   |                  |
//     +-------------+------------+-------------------+------------------+
//
// The total counts the whole packet, header included. Answers from the
// server are plain text lines.
//
// Unlike the manual's sample, `input` rejects a header that cannot be right
// (a total too short for its own name, an empty name), so a bad client is
// closed at once instead of leaving the connection waiting.
import type { Protocol } from '../../src/index.js';

const HEADER_BYTES = 5;

export interface Upload {
  name: string;
  data: Buffer;
}

export const BinaryTransfer: Protocol<Upload, string> = {
  input(buffer) {
    if (buffer.length < HEADER_BYTES) return 0;
    const total = buffer.readUInt32BE(0);
    const nameBytes = buffer[4] as number;
    return nameBytes === 0 || total < HEADER_BYTES + nameBytes ? -1 : total;
  },
  // `data` is a view into the packet: the codec leaves `decodeCopiesPacket`
  // unset, so the connection hands `decode` a packet of its own to keep.
  decode(packet) {
    const nameEnd = HEADER_BYTES + (packet[4] as number);
    return {
      name: packet.toString('utf8', HEADER_BYTES, nameEnd),
      data: packet.subarray(nameEnd),
    };
  },
  encode(line) {
    return `${line}\n`;
  },
};

/** Builds the packet that uploads `data` as `name` (what a client sends). */
export function uploadPacket(name: string, data: Uint8Array): Buffer {
  const nameBytes = Buffer.from(name);
  if (nameBytes.length === 0 || nameBytes.length > 255) {
    throw new RangeError(`a file name takes 1 to 255 bytes, "${name}" takes ${nameBytes.length}`);
  }
  const total = HEADER_BYTES + nameBytes.length + data.length;
  if (total > 0xffff_ffff) throw new RangeError(`${total} bytes do not fit a uint32 length`);
  const packet = Buffer.allocUnsafe(total);
  packet.writeUInt32BE(total, 0);
  packet[4] = nameBytes.length;
  nameBytes.copy(packet, HEADER_BYTES);
  packet.set(data, HEADER_BYTES + nameBytes.length);
  return packet;
}
