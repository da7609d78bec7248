/**
 * One piece of a chunked response (RFC 9112 §7.1): after sending a Response
 * with `Transfer-Encoding: chunked`, `connection.send(new Chunk('...'))` sends
 * a chunk; `new Chunk('')` ends the body.
 *
 *     1a\r\n<26 bytes>\r\n     a chunk
 *     0\r\n\r\n                the last chunk
 */
export class Chunk {
  readonly data: Buffer;

  constructor(data: string | Buffer = '') {
    this.data = typeof data === 'string' ? Buffer.from(data) : data;
  }

  encode(): Buffer {
    const size = Buffer.from(`${this.data.length.toString(16)}\r\n`, 'latin1');
    if (this.data.length === 0) return Buffer.from('0\r\n\r\n', 'latin1');
    return Buffer.concat([size, this.data, CRLF]);
  }

  toString(): string {
    return this.encode().toString();
  }
}

const CRLF = Buffer.from('\r\n', 'latin1');
