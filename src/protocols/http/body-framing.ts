import type { RequestHead } from './request-head.js';

/**
 * How a request's body is delimited (RFC 9112 §6.3), or why the framing is
 * refused. Ambiguous framing is the root of request smuggling, so anything
 * two parsers could read differently is a 400 here:
 *  - `Transfer-Encoding` together with `Content-Length`;
 *  - `Transfer-Encoding` other than exactly `chunked` (we decode no other coding),
 *    or in an HTTP/1.0 request (§6.1: faulty framing);
 *  - `Content-Length` that is not digits, or that is repeated or a list, even
 *    of identical values (RFC 9110 §8.6 allows either; Node's parser refuses too).
 */
export type BodyFraming =
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  | { kind: 'invalid'; reason: string };

const DIGITS = /^[0-9]+$/;
const NO_BODY: BodyFraming = { kind: 'length', length: 0 };
const CHUNKED: BodyFraming = { kind: 'chunked' };

export function bodyFraming(head: RequestHead): BodyFraming {
  let contentLength: string | undefined;
  let transferEncoding: string | undefined;
  for (const [name, value] of head.headers) {
    if (name === 'content-length') {
      if (contentLength !== undefined)
        return { kind: 'invalid', reason: 'repeated Content-Length' };
      if (!DIGITS.test(value)) return { kind: 'invalid', reason: 'invalid Content-Length' };
      contentLength = value.replace(/^0+(?=\d)/, '');
    } else if (name === 'transfer-encoding') {
      transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`;
    }
  }
  if (transferEncoding !== undefined) {
    if (contentLength !== undefined) {
      return { kind: 'invalid', reason: 'both Content-Length and Transfer-Encoding' };
    }
    if (head.version === '1.0') {
      return { kind: 'invalid', reason: 'Transfer-Encoding in an HTTP/1.0 request' };
    }
    if (transferEncoding.trim().toLowerCase() !== 'chunked') {
      return { kind: 'invalid', reason: `unsupported Transfer-Encoding "${transferEncoding}"` };
    }
    return CHUNKED;
  }
  if (contentLength === undefined || contentLength === '0') return NO_BODY;
  // Beyond 2^53 the number is not exact; such a body is over any limit anyway.
  const length = contentLength.length > 15 ? Number.MAX_SAFE_INTEGER : Number(contentLength);
  return { kind: 'length', length };
}
