// JSON + newline (the manual's first custom protocol): one JSON document per
// line. Unlike the manual's sample, `input` gives up on a line longer than
// the connection's maxPackageSize instead of waiting forever (the connection
// enforces that), and `encode` refuses values JSON cannot represent.
import type { Protocol } from '../../src/index.js';

export const JsonNL: Protocol<unknown, unknown> = {
  decodeCopiesPacket: true,
  input(buffer) {
    const at = buffer.indexOf(0x0a);
    return at === -1 ? 0 : at + 1;
  },
  decode(packet) {
    return JSON.parse(packet.toString('utf8', 0, packet.length - 1));
  },
  encode(data) {
    const json = JSON.stringify(data);
    if (json === undefined) throw new TypeError('JsonNL cannot encode undefined or a function');
    return `${json}\n`;
  },
};
