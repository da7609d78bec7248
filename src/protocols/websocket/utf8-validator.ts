/**
 * Incremental UTF-8 validation (RFC 3629) for text messages that arrive in
 * fragments: a code point may be split across frames, so the validator keeps
 * the bytes it still expects between calls. RFC 6455 §8.1 asks to fail the
 * connection (1007) as soon as invalid UTF-8 is seen, not only at the end.
 *
 * Well-formed sequences (RFC 3629 §4):
 *   00..7F
 *   C2..DF 80..BF
 *   E0     A0..BF 80..BF
 *   E1..EC 80..BF 80..BF
 *   ED     80..9F 80..BF        (no surrogates)
 *   EE..EF 80..BF 80..BF
 *   F0     90..BF 80..BF 80..BF
 *   F1..F3 80..BF 80..BF 80..BF
 *   F4     80..8F 80..BF 80..BF (nothing above U+10FFFF)
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the current code point. */
  #needed = 0;
  /** Allowed range of the next continuation byte (narrower right after E0, ED, F0, F4). */
  #lower = 0x80;
  #upper = 0xbf;

  /** True while no code point is left unfinished. */
  get complete(): boolean {
    return this.#needed === 0;
  }

  reset(): void {
    this.#needed = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }

  /** Feeds `bytes[start..end)`; false as soon as they cannot be UTF-8. */
  write(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let needed = this.#needed;
    let lower = this.#lower;
    let upper = this.#upper;
    let i = start;
    while (i < end) {
      const byte = bytes[i] as number;
      if (needed === 0) {
        if (byte < 0x80) {
          // ASCII runs are the common case: skip them without state changes.
          i++;
          while (i < end && (bytes[i] as number) < 0x80) i++;
          continue;
        }
        if (byte >= 0xc2 && byte <= 0xdf) {
          needed = 1;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          needed = 2;
          if (byte === 0xe0) lower = 0xa0;
          else if (byte === 0xed) upper = 0x9f;
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          needed = 3;
          if (byte === 0xf0) lower = 0x90;
          else if (byte === 0xf4) upper = 0x8f;
        } else {
          return this.#fail();
        }
      } else {
        if (byte < lower || byte > upper) return this.#fail();
        lower = 0x80;
        upper = 0xbf;
        needed--;
      }
      i++;
    }
    this.#needed = needed;
    this.#lower = lower;
    this.#upper = upper;
    return true;
  }

  #fail(): false {
    this.reset();
    return false;
  }
}

/** Whether `bytes` is complete, valid UTF-8 on its own (close reasons, single frames). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  return validator.write(bytes) && validator.complete;
}
