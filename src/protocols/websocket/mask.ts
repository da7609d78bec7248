/** True on little-endian hosts: a 32-bit word holds its first byte in the low bits. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * From this many bytes on, the payload is XORed by 32-bit words through an
 * Int32Array view (the trick bufferutil plays in C, here in JavaScript):
 * about three times faster per byte, but making the view costs as much as
 * a byte loop over ~200 bytes, so shorter payloads go byte by byte.
 */
const WORD_LOOP_MIN_BYTES = 256;

/**
 * XORs `payload` in place with the 4-byte masking key at `source[keyAt]`
 * (RFC 6455 §5.3: byte i is XORed with key byte i mod 4). Masking and
 * unmasking are the same operation.
 */
export function unmask(payload: Uint8Array, source: Uint8Array, keyAt: number): void {
  const k0 = source[keyAt] as number;
  const k1 = source[keyAt + 1] as number;
  const k2 = source[keyAt + 2] as number;
  const k3 = source[keyAt + 3] as number;
  const length = payload.length;
  if (length < WORD_LOOP_MIN_BYTES) {
    xorBytes(payload, 0, length, k0, k1, k2, k3);
    return;
  }
  // Bytes up to the first 4-aligned address (a typed-array view must be
  // aligned, and a payload inside a frame or the read buffer starts
  // anywhere), then whole words, then the last 0-3 bytes.
  const head = (4 - (payload.byteOffset & 3)) & 3;
  if (head > 0) payload[0] = (payload[0] as number) ^ k0;
  if (head > 1) payload[1] = (payload[1] as number) ^ k1;
  if (head > 2) payload[2] = (payload[2] as number) ^ k2;
  // The key as one word (in memory order), rotated so that its first byte
  // meets payload[head]. A shift by 32 is a shift by 0 in JavaScript, so
  // head 0 leaves the word as it is.
  const shift = head << 3;
  const word = LITTLE_ENDIAN
    ? rotateRight(k0 | (k1 << 8) | (k2 << 16) | (k3 << 24), shift)
    : rotateLeft((k0 << 24) | (k1 << 16) | (k2 << 8) | k3, shift);
  const words = (length - head) >>> 2;
  const view = new Int32Array(payload.buffer, payload.byteOffset + head, words);
  let w = 0;
  for (const end = words - 3; w < end; w += 4) {
    view[w] = (view[w] as number) ^ word;
    view[w + 1] = (view[w + 1] as number) ^ word;
    view[w + 2] = (view[w + 2] as number) ^ word;
    view[w + 3] = (view[w + 3] as number) ^ word;
  }
  for (; w < words; w++) view[w] = (view[w] as number) ^ word;
  // The last 0-3 bytes, at key phase `i & 3` like every byte of the payload.
  for (let i = head + (words << 2); i < length; i++) {
    const phase = i & 3;
    const k = phase === 0 ? k0 : phase === 1 ? k1 : phase === 2 ? k2 : k3;
    payload[i] = (payload[i] as number) ^ k;
  }
}

function rotateRight(word: number, bits: number): number {
  return (word >>> bits) | (word << (32 - bits));
}

function rotateLeft(word: number, bits: number): number {
  return (word << bits) | (word >>> (32 - bits));
}

/** Byte loop over `payload[start..end)`, `start` a multiple of 4 (key phase 0). */
function xorBytes(
  payload: Uint8Array,
  start: number,
  end: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
): void {
  let i = start;
  for (const last = end - 3; i < last; i += 4) {
    payload[i] = (payload[i] as number) ^ k0;
    payload[i + 1] = (payload[i + 1] as number) ^ k1;
    payload[i + 2] = (payload[i + 2] as number) ^ k2;
    payload[i + 3] = (payload[i + 3] as number) ^ k3;
  }
  if (i < end) payload[i] = (payload[i++] as number) ^ k0;
  if (i < end) payload[i] = (payload[i++] as number) ^ k1;
  if (i < end) payload[i] = (payload[i] as number) ^ k2;
}
