import { nodeCrypto } from '../../builtins.js';
import { unmask } from './mask.js';

/**
 * Mask keys are drawn from a pooled random block, refilled when used up.
 * The block is made with the first masked frame: servers never mask.
 */
const MASK_POOL_BYTES = 8 * 1024;
let maskPool: Buffer | undefined;
let maskOffset = MASK_POOL_BYTES;

/** Writes the next 4-byte mask key into `frame` at `at`. */
function writeMaskKey(frame: Buffer, at: number): void {
  let pool = maskPool;
  if (pool === undefined || maskOffset === MASK_POOL_BYTES) {
    pool = maskPool ??= Buffer.allocUnsafe(MASK_POOL_BYTES);
    nodeCrypto().randomFillSync(pool);
    maskOffset = 0;
  }
  pool.copy(frame, at, maskOffset, maskOffset + 4);
  maskOffset += 4;
}

/**
 * Builds one frame (RFC 6455 §5.2) in a single allocation: the header,
 * the masking key when `mask` (a client's frames, §5.3), and the payload
 * (masked in place in the new buffer, never in the caller's).
 *
 * `payload` is a string (written as UTF-8 straight into the frame) or bytes.
 * `rsv1` marks a permessage-deflate compressed message (RFC 7692 §6).
 */
export function writeFrame(
  opcode: number,
  payload: string | Uint8Array,
  options: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {},
): Buffer {
  const { fin = true, mask = false, rsv1 = false } = options;
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  let headerBytes = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  if (mask) headerBytes += 4;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) {
    frame[1] = maskBit | length;
  } else if (length < 0x10000) {
    frame[1] = maskBit | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = maskBit | 127;
    frame.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  if (typeof payload === 'string') frame.write(payload, headerBytes, 'utf8');
  else frame.set(payload, headerBytes);
  if (mask) {
    const keyAt = headerBytes - 4;
    writeMaskKey(frame, keyAt);
    if (length > 0) unmask(frame.subarray(headerBytes), frame, keyAt);
  }
  return frame;
}

/** A Close frame body (§5.5.1): the code, then the reason as UTF-8 (at most 123 bytes). */
export function closePayload(code: number | undefined, reason = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const body = Buffer.allocUnsafe(2 + Buffer.byteLength(reason));
  body.writeUInt16BE(code, 0);
  body.write(reason, 2, 'utf8');
  return body;
}
