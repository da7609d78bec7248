import { type FieldValue, nestFields } from './nested-fields.js';

const { debuglog } = process.getBuiltinModule('node:util');

/**
 * Parsers for the name/value formats of a request: query strings and
 * urlencoded bodies (WHATWG application/x-www-form-urlencoded), and the
 * `Cookie` header (RFC 6265 §5.4).
 */

const debugHttp = debuglog('workerman-http');

/**
 * Bounds of a query string or urlencoded body (the bytes are already bounded
 * by the head and `maxPackageSize`): fields past `maxFieldCount` are ignored,
 * as PHP's `max_input_vars` and Node's `querystring` `maxKeys` do, so that a
 * body of ten million `&a` costs a scan, not ten million entries.
 */
export const formLimits = { maxFieldCount: 1000 };

/** Parsed fields: PHP's nesting (`a[x]=1`, `a[]=1`, see nested-fields.ts); otherwise the last value wins. */
export type { FieldValue };
export type Fields = Record<string, FieldValue>;

/** Percent-decoding that keeps malformed escapes as they are instead of throwing. */
export function decodeComponent(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace && text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * `a=1&c[]=3&c[]=4&d[x]=5` into `{ a: '1', c: ['3', '4'], d: { x: '5' } }`,
 * as the origin's `parse_str`. Decoded by `URLSearchParams` (the WHATWG
 * parser: `+` is a space, a bad escape stays as sent, bytes that are not
 * UTF-8 become U+FFFD). At most `maxFields` fields (empty pairs do not
 * count); the rest is not parsed. A prototype-free object, so a field called
 * `__proto__` is just a field.
 */
export function parseUrlEncoded(text: string, maxFields = formLimits.maxFieldCount): Fields {
  const pairs: [string, string][] = [];
  if (text === '') return nestFields(pairs);
  const kept = withinFieldLimit(text, maxFields);
  // URLSearchParams drops one leading '?': keep it part of the first name.
  const params = new URLSearchParams(kept.charCodeAt(0) === 0x3f ? `&${kept}` : kept);
  for (const pair of params) pairs.push(pair);
  return nestFields(pairs);
}

/** `text` up to its `max`-th non-empty `&`-separated pair: what lies beyond is never parsed. */
function withinFieldLimit(text: string, max: number): string {
  let count = 0;
  let at = 0;
  while (at < text.length) {
    const amp = text.indexOf('&', at);
    const end = amp === -1 ? text.length : amp;
    if (end > at && ++count > max) {
      debugHttp('form fields past formLimits.maxFieldCount (%d) ignored', max);
      return text.slice(0, at);
    }
    at = end + 1;
  }
  return text;
}

/** `a=1; b="2"` into `{ a: '1', b: '2' }`; the first of two same-named cookies wins (RFC 6265 §5.4). */
export function parseCookieHeader(header: string): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || name in cookies) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    cookies[name] = decodeComponent(value, false);
  }
  return cookies;
}
