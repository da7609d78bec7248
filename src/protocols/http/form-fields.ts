/**
 * Parsers for the name/value formats of a request: query strings and
 * urlencoded bodies (WHATWG application/x-www-form-urlencoded), and the
 * `Cookie` header (RFC 6265 §5.4).
 */

/** A parsed field: a `name[]` field collects every value; otherwise the last one wins. */
export type FieldValue = string | string[];
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
 * `a=1&b=2&c[]=3&c[]=4` into `{ a: '1', b: '2', c: ['3', '4'] }`, as the
 * origin's `parse_str` does for flat and list fields. A prototype-free object,
 * so a field called `__proto__` is just a field.
 */
export function parseUrlEncoded(text: string): Fields {
  const fields: Fields = Object.create(null);
  if (text === '') return fields;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1), true);
    const name = decodeComponent(rawName, true);
    if (name.endsWith('[]') && name.length > 2) {
      const key = name.slice(0, -2);
      const list = fields[key];
      if (Array.isArray(list)) list.push(value);
      else fields[key] = [value];
    } else {
      fields[name] = value;
    }
  }
  return fields;
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
