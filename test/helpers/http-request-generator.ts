/**
 * Seeded generator of HTTP/1.x requests for differential testing: valid
 * requests built from varied parts, and mutations of them (a byte changed,
 * inserted or removed; line endings, framing headers and whitespace
 * tampered with in the ways request smuggling relies on).
 */

/** Small fast PRNG (mulberry32): the same seed gives the same requests. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'GET', 'POST'];
const PATH_CHARS =
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%";
const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-!#$%&'*+.^_`|~";
const HOSTS = ['a.test', 'example.com:8080', '127.0.0.1', '[::1]:80', 'h', '', 'xn--caf-dma.test'];
const VALUE_CHARS =
  'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,;:/?=()"<>@[]{}\t';
const COMMON = ['User-Agent', 'Accept', 'Cookie', 'X-Forwarded-For', 'Cache-Control', 'Connection'];

export class RequestGenerator {
  readonly #rand: () => number;

  constructor(seed: number) {
    this.#rand = random(seed);
  }

  int(n: number): number {
    return Math.floor(this.#rand() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  text(chars: string, min: number, max: number): string {
    let out = '';
    const length = min + this.int(max - min + 1);
    for (let i = 0; i < length; i++) out += chars[this.int(chars.length)];
    return out;
  }

  /** A well-formed request, as bytes. */
  valid(): Buffer {
    const method = this.pick(METHODS);
    let target = `/${this.text(PATH_CHARS.replace('%', ''), 0, 40)}`;
    if (this.int(3) === 0) target += `?${this.text(PATH_CHARS.replace('%', ''), 0, 30)}`;
    if (this.int(5) === 0) target += `%${this.pick(['20', 'C3%A9', '2F', '2e%2e'])}`;
    const version = this.int(6) === 0 ? '1.0' : '1.1';
    const lines = [`${method} ${target} HTTP/${version}`];
    const count = this.int(12);
    // RFC 9112 §3.2: one Host in HTTP/1.1 (most 1.0 clients send it too), somewhere among the fields.
    const hostAt = version === '1.1' || this.int(2) === 0 ? this.int(count + 1) : -1;
    for (let i = 0; i <= count; i++) {
      if (i === hostAt) lines.push(`${this.pick(['Host', 'host', 'HOST'])}: ${this.pick(HOSTS)}`);
      if (i === count) break;
      const name = this.int(2) === 0 ? this.pick(COMMON) : this.text(TOKEN_CHARS, 1, 20);
      if (/^(content-length|transfer-encoding)$/i.test(name)) continue;
      const ows = this.pick(['', ' ', '  ', '\t']);
      const value = this.text(VALUE_CHARS, 0, 60).trim();
      lines.push(`${name}:${ows}${value}${this.pick(['', '', ' ', '\t'])}`);
    }
    let body = '';
    const bodyKind = this.int(4);
    if (bodyKind === 1) {
      body = this.text(VALUE_CHARS, 0, 200);
      lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    } else if (bodyKind === 2 && version === '1.1') {
      lines.push('Transfer-Encoding: chunked');
      const chunks = this.int(4);
      for (let i = 0; i < chunks; i++) {
        const data = this.text(VALUE_CHARS, 1, 50);
        const ext = this.int(4) === 0 ? ';name=value' : '';
        body += `${data.length.toString(16)}${ext}\r\n${data}\r\n`;
      }
      body += '0\r\n';
      if (this.int(4) === 0) body += `X-Trailer: ${this.text(VALUE_CHARS, 0, 10).trim()}\r\n`;
      body += '\r\n';
    }
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
  }

  /** A valid request with one or two mutations. */
  mutated(): Buffer {
    let bytes = this.valid();
    const rounds = 1 + this.int(2);
    for (let i = 0; i < rounds; i++) bytes = this.#mutate(bytes);
    return bytes;
  }

  #mutate(bytes: Buffer): Buffer {
    const text = bytes.toString('latin1');
    const at = this.int(bytes.length);
    switch (this.int(13)) {
      case 0: // replace a byte with any byte
        return Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from([this.int(256)]),
          bytes.subarray(at + 1),
        ]);
      case 1: // insert an interesting byte
        return Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from([
            this.pick([0x00, 0x09, 0x0a, 0x0d, 0x20, 0x3a, 0x7f, 0x80, 0xff, 0x22, 0x3b]),
          ]),
          bytes.subarray(at),
        ]);
      case 2: // delete a byte
        return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
      case 3: // bare LF
        return Buffer.from(text.replace('\r\n', '\n'), 'latin1');
      case 4: // both framings
        return Buffer.from(
          text.replace(
            '\r\n',
            `\r\nTransfer-Encoding: chunked\r\nContent-Length: ${this.int(5)}\r\n`,
          ),
          'latin1',
        );
      case 5: // a second Content-Length
        return Buffer.from(
          text.replace(
            '\r\n',
            `\r\nContent-Length: ${this.pick(['0', '1', '00', ' 1', '1 ', '-1', '+1', '1,1'])}\r\n`,
          ),
          'latin1',
        );
      case 6: // whitespace before a colon or at a line start (obs-fold)
        return Buffer.from(
          text
            .replace(/:/, this.pick([' :', '\t:', ':']))
            .replace(/\r\n(?=[A-Za-z])/, this.pick(['\r\n ', '\r\n\t', '\r\n'])),
          'latin1',
        );
      case 7: // odd Transfer-Encoding values
        return Buffer.from(
          text.replace(
            'Transfer-Encoding: chunked',
            `Transfer-Encoding: ${this.pick(['Chunked', 'chunked, chunked', 'gzip, chunked', 'chunked ', ' chunked', 'xchunked', 'identity'])}`,
          ),
          'latin1',
        );
      case 8: // a broken chunk size
        return Buffer.from(
          text.replace(
            /\r\n\r\n([0-9a-f]+)/,
            `\r\n\r\n${this.pick(['', 'x', '-1', '0x1', ' 1', '1 ', 'fffffffffffffffffff', '1;', '1\t;a'])}$1`,
          ),
          'latin1',
        );
      case 9: // method and version tampering
        return Buffer.from(
          text
            .replace(/^\S+/, this.pick(['get', 'GET ', 'G ET', 'BREW', 'M-SEARCH', 'PRI']))
            .replace(
              /HTTP\/1\.[01]/,
              this.pick([
                'HTTP/1.1',
                'HTTP/1.0',
                'HTTP/1.2',
                'HTTP/2.0',
                'HTTP/0.9',
                'http/1.1',
                'HTTP/1.1 ',
                'HTTP/11',
              ]),
            ),
          'latin1',
        );
      case 11: // no Host, a second one, or a bad value
        return Buffer.from(
          this.pick([
            () => text.replace(/\r\nhost:[^\r]*/i, ''),
            () => text.replace(/\r\n(?=host:)/i, `\r\nHost: ${this.pick(HOSTS)}\r\n`),
            () =>
              text.replace(
                /(\r\nhost:)[^\r]*/i,
                `$1 ${this.pick(['a b', 'a/b', 'u@h', 'h:8x', '[::1'])}`,
              ),
          ])(),
          'latin1',
        );
      case 10: // leading empty lines
        return Buffer.from(`${this.pick(['\r\n', '\r\n\r\n', '\n', ' '])}${text}`, 'latin1');
      default: // truncate
        return bytes.subarray(0, at);
    }
  }
}
