import type { CodecConnection } from './codec-connection.js';
import type { Protocol } from './protocol.js';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Where the previous `input` call stopped looking for a newline. Without it a
 * line that arrives in many chunks would be scanned from its start each time,
 * which is quadratic in the line length. Short buffers are rescanned instead:
 * that is cheaper than the lookup. Never on UDP: a datagram never continues
 * in the next one, so the next `input` sees other bytes, not more of these.
 */
const scannedUpTo = new WeakMap<CodecConnection, number>();
const RESCAN_BELOW_BYTES = 4096;

/**
 * `text://`: one packet per line. A packet ends with `\n`; `decode` drops the
 * line ending (`\n` or `\r\n`), `encode` appends `\n`.
 */
export const Text: Protocol<string, string | Buffer> = {
  decodeCopiesPacket: true,

  input(buffer, connection) {
    const resumable = buffer.length > RESCAN_BELOW_BYTES && connection.transport !== 'udp';
    let from = 0;
    if (resumable) {
      from = scannedUpTo.get(connection) ?? 0;
      if (from > buffer.length) from = 0;
    }
    const at = buffer.indexOf(LF, from);
    if (at === -1) {
      if (resumable) scannedUpTo.set(connection, buffer.length);
      return 0;
    }
    if (from !== 0) scannedUpTo.delete(connection);
    return at + 1;
  },

  decode(packet) {
    let end = packet.length - 1;
    if (end > 0 && packet[end - 1] === CR) end--;
    return packet.toString('utf8', 0, end);
  },

  encode(data) {
    if (typeof data === 'string') return `${data}\n`;
    const out = Buffer.allocUnsafe(data.length + 1);
    data.copy(out, 0);
    out[data.length] = LF;
    return out;
  },

  /** The encoding depends on the data alone: one prepared message serves every connection. */
  sharedEncodingKey() {
    return '';
  },
};
