import { ErrorCodes, WorkermanError } from '../../errors.js';
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
// domain-value = subdomain (RFC 1034 §3.5, as RFC 1123 relaxes it), a leading dot tolerated (§5.2.3).
const COOKIE_DOMAIN =
  /^\.?[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?(?:\.[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?)*$/;
const SAME_SITE: Record<string, 'Strict' | 'Lax' | 'None'> = {
  strict: 'Strict',
  lax: 'Lax',
  none: 'None',
};
const NO_OMISSIONS: readonly string[] = [];

/**
 * True when `text` holds a CTL (0x00-0x1F, 0x7F), HTAB aside when
 * `tabAllowed`. A reason-phrase is HTAB / SP / VCHAR / obs-text (RFC 9112
 * §4); a cookie path-value any CHAR but CTLs and ";" (RFC 6265 §4.1.1).
 */
function hasControlCharacter(text: string, tabAllowed: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !(tabAllowed && c === 0x09)) || c === 0x7f) return true;
  }
  return false;
}

function invalid(message: string): WorkermanError {
  return new WorkermanError(ErrorCodes.INVALID_OPTION, message);
}

/** status-code = 3DIGIT (RFC 9112 §4), from 100 (RFC 9110 §15). */
function checkStatus(status: number): number {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw invalid(`invalid HTTP status code ${status} (an integer from 100 to 999)`);
  }
  return status;
}

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
    this.status = status === 200 ? 200 : checkStatus(status);
    this.body = body;
    this.withHeaders(headers);
  }

  /** A reason phrase is text on the status line: no CR, LF or other control character. */
  withStatus(code: number, reasonPhrase: string | null = null): this {
    if (reasonPhrase !== null && hasControlCharacter(reasonPhrase, true)) {
      throw invalid(`invalid reason phrase ${JSON.stringify(reasonPhrase)} (control character)`);
    }
    this.status = checkStatus(code);
    this.reason = reasonPhrase;
    return this;
  }

  getStatusCode(): number {
    return this.status;
  }

  getReasonPhrase(): string {
    return this.reason ?? STATUS_TEXT[this.status] ?? 'Unknown';
  }

  /** `'1.1'` (the default) or `'1.0'`: the versions this server speaks on the status line. */
  withProtocolVersion(version: string): this {
    if (version !== '1.1' && version !== '1.0') {
      throw invalid(`invalid HTTP version ${JSON.stringify(version)} ('1.1' or '1.0')`);
    }
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
    if (!HEADER_NAME.test(name)) throw invalid(`invalid header name ${JSON.stringify(name)}`);
    const values = (Array.isArray(value) ? value : [value]).map(String);
    for (const v of values) {
      if (HEADER_VALUE_BAD.test(v))
        throw invalid(`invalid value for header "${name}" (CR, LF or NUL)`);
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
      throw invalid(`invalid value for header "${name}" (CR, LF or NUL)`);
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

  /** Header lines `Name: value\r\n`, one per value; `omit` lists lower-cased names to leave out. */
  headerLines(omit: readonly string[] = NO_OMISSIONS): string {
    let text = '';
    for (const [lowerName, [name, values]] of this.headerMap) {
      if (omit.length > 0 && omit.includes(lowerName)) continue;
      for (const value of values) text += `${name}: ${value}\r\n`;
    }
    return text;
  }

  hasHeader(lowerName: string): boolean {
    return this.headerMap.has(lowerName);
  }

  /**
   * Adds a `Set-Cookie` (RFC 6265 §4.1). The value is percent-encoded where
   * a cookie value may not carry the character. Attributes are checked, so
   * none can end the cookie early or add one of its own: `maxAge` a finite
   * number of seconds, `expires` a valid date, `path` without control
   * characters or `;`, `domain` a host name, `sameSite` one of
   * Strict / Lax / None, and `None` only with `secure` (browsers drop such
   * cookies otherwise). A bad one throws `WM_ERR_INVALID_OPTION`.
   */
  cookie(name: string, value = '', options: CookieOptions = {}): this {
    if (!HEADER_NAME.test(name)) throw invalid(`invalid cookie name ${JSON.stringify(name)}`);
    let text = `${name}=${encodeURIComponent(value)}`;
    const { maxAge, expires, domain, path, sameSite } = options;
    if (maxAge !== undefined && maxAge !== null) {
      if (typeof maxAge !== 'number' || !Number.isFinite(maxAge)) {
        throw invalid(`cookie "${name}": maxAge ${maxAge} is not a finite number of seconds`);
      }
      text += `; Max-Age=${Math.trunc(maxAge)}`;
    }
    if (expires !== undefined) {
      if (!(expires instanceof Date) || Number.isNaN(expires.getTime())) {
        throw invalid(`cookie "${name}": expires is not a valid Date`);
      }
      text += `; Expires=${expires.toUTCString()}`;
    }
    if (domain) {
      if (!COOKIE_DOMAIN.test(domain)) {
        throw invalid(`cookie "${name}": invalid domain ${JSON.stringify(domain)}`);
      }
      text += `; Domain=${domain}`;
    }
    if (path) {
      if (hasControlCharacter(path, false) || path.includes(';')) {
        throw invalid(
          `cookie "${name}": invalid path ${JSON.stringify(path)} (control character or ";")`,
        );
      }
      text += `; Path=${path}`;
    }
    if (options.secure) text += '; Secure';
    if (options.httpOnly) text += '; HttpOnly';
    if (sameSite) {
      const canonical = SAME_SITE[String(sameSite).toLowerCase()];
      if (canonical === undefined) {
        throw invalid(
          `cookie "${name}": sameSite ${JSON.stringify(sameSite)} is not Strict, Lax or None`,
        );
      }
      if (canonical === 'None' && !options.secure) {
        throw invalid(
          `cookie "${name}": sameSite None requires secure (browsers drop it otherwise)`,
        );
      }
      text += `; SameSite=${canonical}`;
    }
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
