/**
 * A strict HTTP/1.x request-head parser (RFC 9112 §2-§5).
 *
 *     GET /chat?room=1 HTTP/1.1\r\n         request-line = method SP request-target SP HTTP-version CRLF
 *     Host: example.com\r\n                 field-line   = field-name ":" OWS field-value OWS CRLF
 *     Accept:  text/html \r\n
 *     \r\n                                  the empty line ends the head
 *
 * Strict means: CRLF line endings only (no bare LF, no bare CR), one SP
 * between the request-line parts, no whitespace between a field name and its
 * colon (§5.1 MUST reject), no obsolete line folding (§5.2: we reject), field
 * names are tokens, field values have no control characters except HTAB,
 * and exactly one valid `Host` field in HTTP/1.1 (at most one in 1.0, §3.2).
 * Empty lines before the request-line are skipped, as §2.2 allows.
 *
 * The parser is stateless: it is called with every byte received so far and
 * answers `null` until the head is complete. Finding the end is one native
 * `indexOf`; callers that get the head in many small pieces pass `searchFrom`
 * (where the previous search stopped) so the search stays linear.
 */

export interface RequestHead {
  /** As sent, e.g. `'GET'`. */
  method: string;
  /** The request-target as sent, e.g. `'/chat?room=1'`. */
  target: string;
  version: '1.0' | '1.1';
  /** In order; names lower-cased, values without surrounding OWS (SP / HTAB). */
  headers: [name: string, value: string][];
  /** Bytes of the head, including any skipped leading CRLFs and the final CRLFCRLF. */
  headBytes: number;
}

export type HeadResult =
  | { ok: true; head: RequestHead }
  | { ok: false; status: 400 | 414 | 431 | 505; reason: string };

/**
 * `maxHeaderBytes` bounds the whole head (request-line, fields and the final
 * empty line); `maxRequestLineBytes` bounds the request-line without its CRLF.
 */
export interface HeadLimits {
  maxHeaderBytes: number;
  maxRequestLineBytes: number;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');
const DOUBLE_LF = Buffer.from('\n\n', 'latin1');
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/** tchar (RFC 9110 §5.6.2): the bytes of a method or a field name. */
const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;

/** field-vchar / SP / HTAB (RFC 9110 §5.5): VCHAR and obs-text; no CTL, no DEL. */
const FIELD_VALUE = new Uint8Array(256);
FIELD_VALUE[HTAB] = 1;
for (let c = 0x20; c <= 0x7e; c++) FIELD_VALUE[c] = 1;
for (let c = 0x80; c <= 0xff; c++) FIELD_VALUE[c] = 1;

/**
 * request-target bytes: visible ASCII (RFC 9112 §3.2; the URI grammar of
 * RFC 3986 is a subset). Percent-encoding is the client's job; raw bytes
 * above 0x7E are refused.
 */
const TARGET = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) TARGET[c] = 1;

// Interned lower-case names of common fields, found by their bytes (any
// case): a common name costs neither a string nor a hash lookup.
const COMMON_NAMES: (readonly [bytes: Buffer, name: string])[][] = [];
for (const name of [
  'host',
  'user-agent',
  'accept',
  'accept-encoding',
  'accept-language',
  'connection',
  'content-length',
  'content-type',
  'cookie',
  'transfer-encoding',
  'upgrade',
  'expect',
  'referer',
  'origin',
  'cache-control',
  'if-modified-since',
  'range',
  'authorization',
]) {
  const sameLength = COMMON_NAMES[name.length] ?? [];
  sameLength.push([Buffer.from(name, 'latin1'), name]);
  COMMON_NAMES[name.length] = sameLength;
}

/**
 * The interned name when `buffer[from..to)` spells a common one in any case.
 * The bytes are token characters: OR-ing 0x20 lower-cases letters and maps
 * no other token character onto a letter or '-'.
 */
function commonName(buffer: Buffer, from: number, to: number): string | undefined {
  const candidates = COMMON_NAMES[to - from];
  if (candidates === undefined) return undefined;
  next: for (const [bytes, name] of candidates) {
    for (let k = 0; k < bytes.length; k++) {
      if ((buffer[from + k]! | 0x20) !== bytes[k]) continue next;
    }
    return name;
  }
  return undefined;
}

function fail(status: 400 | 414 | 431 | 505, reason: string): HeadResult {
  return { ok: false, status, reason };
}

/**
 * Parses the head at the start of `buffer`. `null`: not complete yet and no
 * limit exceeded. `searchFrom` is an optimisation only: an offset before
 * which the caller already knows there is no end of head.
 */
export function parseRequestHead(
  buffer: Buffer,
  limits: HeadLimits,
  searchFrom = 0,
): HeadResult | null {
  let start = 0;
  // §2.2: a server SHOULD ignore at least one empty line before the
  // request-line. Like Node's parser, any CR and LF bytes there are skipped
  // (they are between messages, and cannot change how the next one is read).
  while (start < buffer.length && (buffer[start] === CR || buffer[start] === LF)) start++;
  if (start > limits.maxHeaderBytes) {
    return fail(431, `request head over ${limits.maxHeaderBytes} bytes`);
  }
  if (start === buffer.length) return null;

  const scanLimit = Math.min(buffer.length, start + limits.maxHeaderBytes);
  const from = Math.max(start, searchFrom - 3);
  const end = buffer.indexOf(END_OF_HEAD, from);
  const headEnd = end === -1 ? -1 : end + 4;
  if (headEnd === -1 || headEnd - start > limits.maxHeaderBytes) {
    // A bare LF would make the client wait for an end that never comes: refuse now.
    const bare = buffer.subarray(start, scanLimit).indexOf(DOUBLE_LF);
    if (bare !== -1) return fail(400, 'bare LF line ending (CRLF expected)');
    const lineEnd = buffer.indexOf(LF, start);
    const lineBytes = (lineEnd === -1 ? buffer.length : lineEnd) - start;
    if (lineBytes > limits.maxRequestLineBytes + 1) {
      return fail(414, `request line over ${limits.maxRequestLineBytes} bytes`);
    }
    if (buffer.length - start > limits.maxHeaderBytes) {
      return fail(431, `request head over ${limits.maxHeaderBytes} bytes`);
    }
    return null;
  }
  return parseCompleteHead(buffer, start, headEnd, limits);
}

/** Parses a head known to end with CRLFCRLF at `headEnd`. */
function parseCompleteHead(
  buffer: Buffer,
  start: number,
  headEnd: number,
  limits: HeadLimits,
): HeadResult {
  // The head as one Latin-1 string (one byte, one char), cut into method,
  // target, names and values with substring: one call into Node for the
  // whole head instead of two per field line (the calls, not the bytes,
  // were most of the cost of a typical head).
  const text = buffer.toString('latin1', start, headEnd);
  // --- request-line ---
  let i = start;
  while (TOKEN[buffer[i]!] === 1) i++;
  if (i === start) return fail(400, 'invalid method');
  if (buffer[i] !== SP) return fail(400, 'invalid method or missing SP after it');
  const method = text.slice(0, i - start);
  const targetStart = ++i;
  while (TARGET[buffer[i]!] === 1) i++;
  if (i === targetStart) return fail(400, 'empty or invalid request-target');
  if (buffer[i] !== SP) {
    if (buffer[i] === CR && buffer[i + 1] === LF && i - start <= limits.maxRequestLineBytes) {
      return fail(400, 'HTTP/0.9 request-line (no version) is not supported');
    }
    if (i - start > limits.maxRequestLineBytes) {
      return fail(414, `request line over ${limits.maxRequestLineBytes} bytes`);
    }
    return fail(400, 'invalid byte in request-target');
  }
  const target = text.slice(targetStart - start, i - start);
  if (!validTargetForm(method, target, buffer[targetStart]!)) {
    return fail(400, 'request-target is not in origin, absolute, authority or asterisk form');
  }
  i++;
  for (let k = 0; k < 5; k++, i++) {
    if (buffer[i] !== HTTP_SLASH[k]) return fail(400, 'invalid HTTP-version');
  }
  const major = buffer[i]! - 0x30;
  const dot = buffer[i + 1];
  const minor = buffer[i + 2]! - 0x30;
  if (major < 0 || major > 9 || dot !== 0x2e || minor < 0 || minor > 9) {
    return fail(400, 'invalid HTTP-version');
  }
  i += 3;
  if (buffer[i] !== CR || buffer[i + 1] !== LF) return fail(400, 'request-line not ended by CRLF');
  if (i - start > limits.maxRequestLineBytes) {
    return fail(414, `request line over ${limits.maxRequestLineBytes} bytes`);
  }
  if (major !== 1 || minor > 1) return fail(505, `HTTP/${major}.${minor} is not supported`);
  const version = minor === 1 ? '1.1' : '1.0';
  i += 2;

  // --- field lines, up to the empty line at headEnd - 2 ---
  const headers: [string, string][] = [];
  let host: string | undefined;
  let hostCount = 0;
  const fieldsEnd = headEnd - 2;
  while (i < fieldsEnd) {
    const nameStart = i;
    while (TOKEN[buffer[i]!] === 1) i++;
    if (buffer[i] !== COLON || i === nameStart) {
      const c = buffer[nameStart];
      if (i === nameStart && (c === SP || c === HTAB)) return fail(400, 'obsolete line folding');
      return fail(400, 'invalid header name');
    }
    const name =
      commonName(buffer, nameStart, i) ?? text.slice(nameStart - start, i - start).toLowerCase();
    i++;
    while (buffer[i] === SP || buffer[i] === HTAB) i++;
    const valueStart = i;
    while (FIELD_VALUE[buffer[i]!] === 1) i++;
    if (buffer[i] !== CR || buffer[i + 1] !== LF)
      return fail(400, `invalid byte in "${name}" value`);
    let valueEnd = i;
    while (
      valueEnd > valueStart &&
      (buffer[valueEnd - 1] === SP || buffer[valueEnd - 1] === HTAB)
    ) {
      valueEnd--;
    }
    const value = text.slice(valueStart - start, valueEnd - start);
    if (name === 'host') {
      host = value;
      hostCount++;
    }
    headers.push([name, value]);
    i += 2;
  }
  const hostProblem = checkHost(version, host, hostCount);
  if (hostProblem !== null) return fail(400, hostProblem);
  return { ok: true, head: { method, target, version, headers, headBytes: headEnd } };
}

/**
 * `Host = uri-host [ ":" port ]` (RFC 9110 §7.2; RFC 3986 §3.2.2): an
 * IP-literal in brackets, or a reg-name / IPv4 address; empty is allowed
 * (a target without an authority).
 */
const HOST_VALUE =
  /^(?:\[[0-9A-Za-z:._~!$&'()*+,;=-]+\]|[0-9A-Za-z._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;

/**
 * RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a
 * Host field, and to any request with more than one Host field line or an
 * invalid Host value. Two hosts would let a proxy and this server route the
 * same request by different names.
 */
function checkHost(version: '1.0' | '1.1', host: string | undefined, count: number): string | null {
  if (count > 1) return `${count} Host fields (one expected)`;
  if (host === undefined) return version === '1.1' ? 'HTTP/1.1 request without a Host field' : null;
  return HOST_VALUE.test(host) ? null : 'invalid Host value';
}

const ABSOLUTE_FORM = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * RFC 9112 §3.2: `/path?query` (origin-form), `http://host/path`
 * (absolute-form), `host:port` (authority-form, CONNECT only) or `*`
 * (asterisk-form, OPTIONS only).
 */
function validTargetForm(method: string, target: string, first: number): boolean {
  if (first === 0x2f) return true;
  if (method === 'CONNECT') return true;
  if (target === '*') return method === 'OPTIONS';
  return ABSOLUTE_FORM.test(target);
}
