/**
 * Normalises what a codec or a raw send produced into something a socket
 * writes: strings and Buffers as they are, other byte arrays as Buffer views
 * (no copy), `null` / `undefined` as nothing, anything else as its string.
 */
export function toWritable(data: unknown): Buffer | string {
  if (typeof data === 'string' || Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data === null || data === undefined) return '';
  return String(data);
}
