// 4-byte big-endian length + JSON body (the manual's third example). The
// length counts the whole packet, header included. The manual's sample
// accepts a length below 4, which would loop forever on an empty packet;
// ours rejects it.
import type { Protocol } from '../../src/index.js';

const HEADER_BYTES = 4;

export const JsonInt: Protocol<unknown, unknown> = {
  decodeCopiesPacket: true,
  input(buffer) {
    if (buffer.length < HEADER_BYTES) return 0;
    const total = buffer.readUInt32BE(0);
    return total < HEADER_BYTES ? -1 : total;
  },
  decode(packet) {
    return JSON.parse(packet.toString('utf8', HEADER_BYTES));
  },
  encode(data) {
    const body = Buffer.from(JSON.stringify(data) ?? 'null');
    const packet = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    packet.writeUInt32BE(packet.length, 0);
    body.copy(packet, HEADER_BYTES);
    return packet;
  },
};
