import { ErrorCodes, WorkermanError } from '../../errors.js';
import type { Protocol } from '../../protocols/protocol.js';
import type { CommandCode } from './commands.js';

/**
 * The frame of every internal link (gateway ↔ business worker, gateway ↔
 * GatewayClient). All integers big-endian:
 *
 *      0        4     5      6          10          14           18
 *      +--------+-----+------+----------+-----------+------------+-----+------+
 *      | length | cmd | flags| client   | request   | ext length | ext | body |
 *      | u32    | u8  | u8   | u32      | u32       | u32        |     |      |
 *      +--------+-----+------+----------+-----------+------------+-----+------+
 *
 * `length` counts the whole frame; `client` is the gateway's number for a
 * client (0: none); `request` pairs a QUERY with its REPLY (0: none); `ext`
 * carries the command's arguments (a client's context, JSON) and `body` the
 * message itself, so a message is never copied into JSON or escaped.
 */
export interface GatewayFrame {
  cmd: number;
  flags: number;
  client: number;
  request: number;
  ext: Buffer;
  body: Buffer;
}

export const FRAME_HEADER_BYTES = 18;

type Part = Buffer | string | null | undefined;

function partLength(part: Part): number {
  if (part == null) return 0;
  return typeof part === 'string' ? Buffer.byteLength(part) : part.length;
}

function writePart(out: Buffer, part: Part, offset: number, length: number): void {
  if (part == null || length === 0) return;
  if (typeof part === 'string') out.write(part, offset, length);
  else part.copy(out, offset);
}

/** One frame in one allocation; strings are written as UTF-8 in place. */
export function encodeFrame(
  cmd: CommandCode,
  flags: number,
  client: number,
  request: number,
  ext: Part,
  body: Part,
): Buffer {
  const extLength = partLength(ext);
  const bodyLength = partLength(body);
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + extLength + bodyLength);
  writeFrame(out, 0, cmd, flags, client, request, ext, extLength, body, bodyLength);
  return out;
}

/** A client event as a gateway forwards it: the client's number and context, then the message. */
export interface EventFrame {
  cmd: CommandCode;
  kind: number;
  body: Part;
  entry: { readonly number: number; readonly context: Buffer };
}

/**
 * Several client events back to back in one allocation, for one write;
 * `requests[i]` is event i's sequence number (the worker reports it handled).
 */
export function encodeFrames(events: readonly EventFrame[], requests: readonly number[]): Buffer {
  // Text bodies are measured once (Buffer.byteLength walks the string).
  const bodyLengths = events.map((event) => partLength(event.body));
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    total += FRAME_HEADER_BYTES + events[i]!.entry.context.length + bodyLengths[i]!;
  }
  const out = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let i = 0; i < events.length; i++) {
    const { cmd, kind, body, entry } = events[i]!;
    const ext = entry.context;
    const bodyLength = bodyLengths[i]!;
    writeFrame(
      out,
      offset,
      cmd,
      kind,
      entry.number,
      requests[i]!,
      ext,
      ext.length,
      body,
      bodyLength,
    );
    offset += FRAME_HEADER_BYTES + ext.length + bodyLength;
  }
  return out;
}

function writeFrame(
  out: Buffer,
  at: number,
  cmd: CommandCode,
  flags: number,
  client: number,
  request: number,
  ext: Part,
  extLength: number,
  body: Part,
  bodyLength: number,
): void {
  out.writeUInt32BE(FRAME_HEADER_BYTES + extLength + bodyLength, at);
  out[at + 4] = cmd;
  out[at + 5] = flags;
  out.writeUInt32BE(client >>> 0, at + 6);
  out.writeUInt32BE(request >>> 0, at + 10);
  out.writeUInt32BE(extLength, at + 14);
  writePart(out, ext, at + FRAME_HEADER_BYTES, extLength);
  writePart(out, body, at + FRAME_HEADER_BYTES + extLength, bodyLength);
}

/**
 * The codec of internal links. `input` learns a frame's size from its
 * first 4 bytes, so the connection's `maxPackageSize` refuses an oversized
 * frame before buffering it; `decode` only slices (the connection hands it
 * a private copy of the frame).
 */
export const GatewayFrames: Protocol<GatewayFrame, Buffer> = {
  input(buffer) {
    if (buffer.length < 4) return 0;
    const total = buffer.readUInt32BE(0);
    return total < FRAME_HEADER_BYTES ? -1 : total;
  },

  decode(packet) {
    const extLength = packet.readUInt32BE(14);
    if (FRAME_HEADER_BYTES + extLength > packet.length) {
      throw new WorkermanError(
        ErrorCodes.BAD_PACKET,
        `gateway frame: ext length ${extLength} runs past the frame's ${packet.length} bytes`,
      );
    }
    return {
      cmd: packet[4]!,
      flags: packet[5]!,
      client: packet.readUInt32BE(6),
      request: packet.readUInt32BE(10),
      ext: packet.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + extLength),
      body: packet.subarray(FRAME_HEADER_BYTES + extLength),
    };
  },

  encode(frame) {
    return frame;
  },
};
