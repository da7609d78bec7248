/**
 * Parsers for the name/value formats of a request: query strings and
 * urlencoded bodies (WHATWG application/x-www-form-urlencoded), and the
 * `Cookie` header (RFC 6265 §5.4).
 */

import { type FieldValue, nestFields } from './nested-fields.js';

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
 * as the origin's `parse_str`. A prototype-free object, so a field called
 * `__proto__` is just a field.
 */
export function parseUrlEncoded(text: string): Fields {
  const pairs: [string, string][] = [];
  if (text === '') return nestFields(pairs);
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1), true);
    pairs.push([decodeComponent(rawName, true), value]);
  }
  return nestFields(pairs);
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
