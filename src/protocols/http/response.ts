import { STATUS_TEXT } from './status-text.js';

/** A file to stream as the body: `length` 0 means up to the end of the file. */
export interface ResponseFile {
  file: string;
  offset: number;
  length: number;
}

export interface CookieOptions {
  /** Seconds; `Max-Age`. */
  maxAge?: number | null;
  path?: string;
  domain?: string;
  secure?: boolean;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None' | '';
  /** An absolute expiry; `Expires`. */
  expires?: Date;
}

type HeaderInput = Record<string, string | number | readonly (string | number)[]>;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// No CR, LF or NUL: a value must never end the header section early (response splitting).
const HEADER_VALUE_BAD = /[\r\n\0]/;

/**
 * An HTTP response for `connection.send(response)`.
 *
 *     new Response(200, { 'Content-Type': 'application/json' }, JSON.stringify(data));
 *     new Response().withStatus(302).withHeader('Location', '/login');
 *     new Response().withFile('/srv/video.mp4');        // streamed from disk
 *     new Response(200, { 'Transfer-Encoding': 'chunked' });   // then send(new Chunk(...))
 *     new Response(200, { 'Content-Type': 'text/event-stream' }); // then ServerSentEvents
 *
 * Headers keep the case they were set with; one name may carry several
 * values (`Set-Cookie`). The `with*` methods change this response and return it.
 */
export class Response {
  file: ResponseFile | null = null;
  private status: number;
  private reason: string | null = null;
  private version = '1.1';
  private body: string | Buffer;
  /** Lower-cased name -> [name as set, values]. */
  private readonly headerMap = new Map<string, [string, string[]]>();

  constructor(status = 200, headers: HeaderInput = {}, body: string | Buffer = '') {
    this.status = status;
    this.body = body;
    this.withHeaders(headers);
  }

  withStatus(code: number, reasonPhrase: string | null = null): this {
    this.status = code;
    this.reason = reasonPhrase;
    return this;
  }

  getStatusCode(): number {
    return this.status;
  }

  getReasonPhrase(): string {
    return this.reason ?? STATUS_TEXT[this.status] ?? 'Unknown';
  }

  withProtocolVersion(version: string): this {
    this.version = version;
    return this;
  }

  getProtocolVersion(): string {
    return this.version;
  }

  withBody(body: string | Buffer): this {
    this.body = body;
    return this;
  }

  rawBody(): string | Buffer {
    return this.body;
  }

  /** Sets a header, replacing any value; an array sets several values. */
  header(name: string, value: string | number | readonly (string | number)[]): this {
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid header name "${name}"`);
    const values = (Array.isArray(value) ? value : [value]).map(String);
    for (const v of values) {
      if (HEADER_VALUE_BAD.test(v)) throw new TypeError(`invalid value for header "${name}"`);
    }
    this.headerMap.set(name.toLowerCase(), [name, values]);
    return this;
  }

  withHeader(name: string, value: string | number | readonly (string | number)[]): this {
    return this.header(name, value);
  }

  /** Adds a value, keeping those already set (`Set-Cookie`, `Vary`...). */
  addHeader(name: string, value: string | number): this {
    const entry = this.headerMap.get(name.toLowerCase());
    if (entry === undefined) return this.header(name, value);
    if (HEADER_VALUE_BAD.test(String(value)))
      throw new TypeError(`invalid value for header "${name}"`);
    entry[1].push(String(value));
    return this;
  }

  withHeaders(headers: HeaderInput): this {
    for (const name of Object.keys(headers)) this.header(name, headers[name]!);
    return this;
  }

  withoutHeader(name: string): this {
    this.headerMap.delete(name.toLowerCase());
    return this;
  }

  /** The header's value (several joined with `, `), by case-insensitive name. */
  getHeader(name: string): string | undefined {
    return this.headerMap.get(name.toLowerCase())?.[1].join(', ');
  }

  /** Every header as set: name -> value, or values when several. */
  getHeaders(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, values] of this.headerMap.values()) {
      out[name] = values.length === 1 ? values[0]! : [...values];
    }
    return out;
  }

  /** Header lines `Name: value\r\n`, one per value. */
  headerLines(): string {
    let text = '';
    for (const [name, values] of this.headerMap.values()) {
      for (const value of values) text += `${name}: ${value}\r\n`;
    }
    return text;
  }

  hasHeader(lowerName: string): boolean {
    return this.headerMap.has(lowerName);
  }

  /**
   * Adds a `Set-Cookie` (RFC 6265 §4.1). The value is percent-encoded where
   * a cookie value may not carry the character.
   */
  cookie(name: string, value = '', options: CookieOptions = {}): this {
    if (!HEADER_NAME.test(name)) throw new TypeError(`invalid cookie name "${name}"`);
    let text = `${name}=${encodeURIComponent(value)}`;
    if (options.maxAge !== undefined && options.maxAge !== null) {
      text += `; Max-Age=${Math.trunc(options.maxAge)}`;
    }
    if (options.expires) text += `; Expires=${options.expires.toUTCString()}`;
    if (options.domain) text += `; Domain=${options.domain}`;
    if (options.path) text += `; Path=${options.path}`;
    if (options.secure) text += '; Secure';
    if (options.httpOnly) text += '; HttpOnly';
    if (options.sameSite) text += `; SameSite=${options.sameSite}`;
    return this.addHeader('Set-Cookie', text);
  }

  /**
   * Streams a file as the body, read from disk as the peer takes it. `offset`
   * and `length` pick a part (`length` 0: to the end). A `Range` request is
   * answered with 206 by `connection.send` (see the HTTP codec); a
   * `If-Modified-Since` not older than the file's mtime with 304.
   */
  withFile(file: string, offset = 0, length = 0): this {
    this.file = { file, offset, length };
    return this;
  }

  toString(): string {
    const body = typeof this.body === 'string' ? this.body : this.body.toString('latin1');
    let head = `HTTP/${this.version} ${this.status} ${this.getReasonPhrase()}\r\n${this.headerLines()}`;
    if (!this.hasHeader('content-length') && !this.hasHeader('transfer-encoding')) {
      head += `Content-Length: ${Buffer.byteLength(this.body)}\r\n`;
    }
    return `${head}\r\n${body}`;
  }
}
