// 10-digit decimal length + XML body (the manual's second example). The
// header counts the whole packet, header included, zero-padded.
//
// The manual's sample is wrong: its `input` converts an undefined variable
// instead of the first 10 bytes, so it never finds the length. Ours reads the
// header, and rejects (negative) a header that is not ten digits or a length
// shorter than the header itself.
import type { Protocol } from '../../src/index.js';

const HEADER_BYTES = 10;
const DIGITS = /^\d{10}$/;

export const XmlProtocol: Protocol<string, string> = {
  decodeCopiesPacket: true,
  input(buffer) {
    if (buffer.length < HEADER_BYTES) return 0;
    const header = buffer.toString('latin1', 0, HEADER_BYTES);
    if (!DIGITS.test(header)) return -1;
    const total = Number(header);
    return total < HEADER_BYTES ? -1 : total;
  },
  decode(packet) {
    return packet.toString('utf8', HEADER_BYTES);
  },
  encode(xml) {
    const total = Buffer.byteLength(xml) + HEADER_BYTES;
    return String(total).padStart(HEADER_BYTES, '0') + xml;
  },
};
