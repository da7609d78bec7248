/**
 * An incremental scanner for a chunked body (RFC 9112 §7.1):
 *
 *     1a;name=value\r\n        chunk-size (hex) [chunk-ext] CRLF
 *     <26 bytes>\r\n           chunk-data CRLF
 *     0\r\n                    last-chunk
 *     Trailer-Field: x\r\n     trailer-section (checked, then dropped)
 *     \r\n
 *
 * `scan` is called with the whole packet so far each time more bytes arrive;
 * it resumes where it stopped, so a body that trickles in is scanned once.
 * It records where each chunk's data lies, for `body` to join afterwards.
 */

const CR = 0x0d;
const LF = 0x0a;
const SEMICOLON = 0x3b;
const MAX_SIZE_LINE = 4096;
const MAX_HEX_DIGITS = 12; // 2^48: far over any maxPackageSize

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = 10 + c;
  HEX[0x61 + c] = 10 + c;
}

/** Bytes allowed in a chunk extension or a trailer line: no CTL but HTAB, no DEL. */
const LINE_BYTE = new Uint8Array(256);
LINE_BYTE[0x09] = 1;
for (let c = 0x20; c <= 0x7e; c++) LINE_BYTE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) LINE_BYTE[c] = 1;

const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TOKEN[c.charCodeAt(0)] = 1;
}

export const SCAN_INCOMPLETE = -1;
export const SCAN_INVALID = -2;

export class ChunkedBodyScanner {
  /** Where scanning resumes. */
  private at: number;
  /** In trailers after the last chunk. */
  private inTrailers = false;
  /** Start/end offsets of each chunk's data. */
  private readonly ranges: number[] = [];
  private dataBytes = 0;
  reason = '';

  constructor(bodyStart: number) {
    this.at = bodyStart;
  }

  /** The end offset of the body, `SCAN_INCOMPLETE`, or `SCAN_INVALID` (see `reason`). */
  scan(buffer: Buffer, maxBytes: number): number {
    while (true) {
      const lf = buffer.indexOf(LF, this.at);
      if (lf === -1) {
        if (buffer.length - this.at > MAX_SIZE_LINE) return this.invalid('chunk line too long');
        return SCAN_INCOMPLETE;
      }
      if (lf === this.at || buffer[lf - 1] !== CR) return this.invalid('bare LF in chunked body');
      const lineEnd = lf - 1;
      if (this.inTrailers) {
        if (lineEnd === this.at) return lf + 1;
        if (!this.validTrailer(buffer, this.at, lineEnd))
          return this.invalid('invalid trailer field');
        this.at = lf + 1;
        continue;
      }
      const size = this.chunkSize(buffer, this.at, lineEnd);
      if (size < 0) return SCAN_INVALID;
      if (size === 0) {
        this.inTrailers = true;
        this.at = lf + 1;
        continue;
      }
      this.dataBytes += size;
      if (this.dataBytes > maxBytes) return this.invalid('chunked body over the size limit', true);
      const dataEnd = lf + 1 + size;
      if (buffer.length < dataEnd + 2) {
        this.dataBytes -= size; // scanned again once the data is here
        return SCAN_INCOMPLETE;
      }
      if (buffer[dataEnd] !== CR || buffer[dataEnd + 1] !== LF) {
        return this.invalid('chunk data not followed by CRLF');
      }
      this.ranges.push(lf + 1, dataEnd);
      this.at = dataEnd + 2;
    }
  }

  /** Set by an over-size body, for a 413 rather than a 400. */
  tooLarge = false;

  /** The decoded body: the chunks' data joined. */
  body(packet: Buffer): Buffer {
    const ranges = this.ranges;
    if (ranges.length === 0) return Buffer.alloc(0);
    if (ranges.length === 2) return packet.subarray(ranges[0], ranges[1]);
    const out = Buffer.allocUnsafe(this.dataBytes);
    let offset = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      offset += packet.copy(out, offset, ranges[i], ranges[i + 1]);
    }
    return out;
  }

  private chunkSize(buffer: Buffer, from: number, end: number): number {
    let i = from;
    let size = 0;
    while (i < end && HEX[buffer[i]!]! >= 0) {
      size = size * 16 + HEX[buffer[i]!]!;
      i++;
    }
    if (i === from) return this.invalid('missing chunk size');
    if (i - from > MAX_HEX_DIGITS) return this.invalid('chunk size too large', true);
    if (i < end) {
      // chunk-ext starts right after the size: whitespace before ";" (BWS in
      // RFC 9112's grammar) is refused, as Node's parser does, so both agree.
      if (buffer[i] !== SEMICOLON) return this.invalid('invalid chunk size');
      if (!validExtensions(buffer, i, end)) return this.invalid('invalid chunk extension');
    }
    return size;
  }

  private validTrailer(buffer: Buffer, from: number, end: number): boolean {
    let i = from;
    while (i < end && TOKEN[buffer[i]!] === 1) i++;
    if (i === from || buffer[i] !== 0x3a) return false;
    for (i++; i < end; i++) if (LINE_BYTE[buffer[i]!] !== 1) return false;
    return true;
  }

  private invalid(reason: string, tooLarge = false): number {
    this.reason = reason;
    this.tooLarge = tooLarge;
    return SCAN_INVALID;
  }
}

/**
 * chunk-ext = *( ";" ext-name [ "=" ext-val ] ), ext-name = token,
 * ext-val = token / quoted-string (RFC 9112 §7.1.1), without whitespace.
 */
function validExtensions(buffer: Buffer, from: number, end: number): boolean {
  let i = from;
  while (i < end) {
    if (buffer[i] !== SEMICOLON) return false;
    const name = ++i;
    while (i < end && TOKEN[buffer[i]!] === 1) i++;
    if (i === name) return false;
    if (i === end || buffer[i] === SEMICOLON) continue;
    if (buffer[i] !== 0x3d) return false; // "="
    i++;
    if (buffer[i] === 0x22) {
      // quoted-string: qdtext or a backslash pair, up to the closing quote
      for (i++; i < end && buffer[i] !== 0x22; i++) {
        if (buffer[i] === 0x5c) i++;
        if (i >= end || LINE_BYTE[buffer[i]!] !== 1) return false;
      }
      if (i >= end) return false;
      i++;
    } else {
      const value = i;
      while (i < end && TOKEN[buffer[i]!] === 1) i++;
      if (i === value) return false;
    }
  }
  return true;
}
