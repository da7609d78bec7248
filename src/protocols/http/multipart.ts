import { decodeComponent } from './form-fields.js';
import { nestFields } from './nested-fields.js';
import type { ParsedBody, UploadedFile } from './parsed-body.js';

/**
 * `multipart/form-data` (RFC 7578) held in memory:
 *
 *     --BOUNDARY\r\n
 *     Content-Disposition: form-data; name="avatar"; filename="me.png"\r\n
 *     Content-Type: image/png\r\n
 *     \r\n
 *     <bytes>\r\n
 *     --BOUNDARY--\r\n
 *
 * Parts without a filename are fields; parts with one are files. A body that
 * breaks the format stops the parse at that point (the parts before it stay).
 */
export function parseMultipart(
  contentType: string,
  body: Buffer,
  limits: { maxFileCount: number; maxPartCount: number },
): ParsedBody {
  const fields: [name: string, value: string][] = [];
  const files: ParsedBody['files'] = Object.create(null);
  const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (token === undefined) return { fields: nestFields(fields), files };
  const delimiter = Buffer.from(`\r\n--${token}`, 'latin1');
  // The first delimiter may be at the very start, without the CRLF before it.
  let at = body.indexOf(delimiter.subarray(2));
  if (at === -1) return { fields: nestFields(fields), files };
  at += delimiter.length - 2;
  let parts = 0;
  let fileCount = 0;
  while (parts++ < limits.maxPartCount) {
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break; // "--": the closing delimiter
    const headStart = body.indexOf('\r\n', at) + 2;
    if (headStart === 1) break;
    const headEnd = body.indexOf('\r\n\r\n', headStart - 2);
    if (headEnd === -1) break;
    const next = body.indexOf(delimiter, headEnd + 4);
    if (next === -1) break;
    const headers = body.toString('utf8', headStart, headEnd);
    const data = body.subarray(headEnd + 4, next);
    at = next + delimiter.length;
    const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
    const params = dispositionParams(disposition);
    const name = params.get('name');
    if (name === undefined) continue;
    const filename = fileName(params);
    if (filename === undefined) {
      fields.push([name, data.toString('utf8')]);
      continue;
    }
    if (++fileCount > limits.maxFileCount) break;
    const type = /^content-type:\s*(.*?)\s*$/im.exec(headers)?.[1] ?? 'application/octet-stream';
    const file: UploadedFile = { name: filename, type, size: data.length, data: Buffer.from(data) };
    addTo(files as Record<string, unknown>, name, file);
  }
  return { fields: nestFields(fields), files };
}

/**
 * The parameters of a Content-Disposition value (RFC 6266 §4.1, RFC 9110
 * §5.6.6), read left to right, so a quoted value is only ever a value:
 *
 *     form-data; name="avatar"; filename="a; name=x.png"
 *                ^^^^ token "=" (token / quoted-string), separated by ";"
 *
 * Names are lower-cased; the first of a repeated parameter wins; reading
 * stops at the first thing that is not a parameter.
 */
export function dispositionParams(disposition: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /\s*;\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s"]+))/y;
  // Skip the disposition type (form-data) up to the first ';'.
  const semicolon = disposition.indexOf(';');
  if (semicolon === -1) return params;
  pattern.lastIndex = semicolon;
  for (;;) {
    const match = pattern.exec(disposition);
    if (match === null) break;
    const name = match[1]!.toLowerCase();
    if (params.has(name)) continue;
    const quoted = match[2];
    // A token value is percent-decoded, as browsers of old sent it.
    params.set(
      name,
      quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : decodeComponent(match[3]!, false),
    );
  }
  return params;
}

/**
 * `filename*` (RFC 8187: `UTF-8''na%C3%AFve.txt`) when given in UTF-8, else
 * `filename`, else `filename*` as sent: either makes the part a file.
 */
function fileName(params: Map<string, string>): string | undefined {
  const extended = params.get('filename*');
  if (extended === undefined) return params.get('filename');
  // Already percent-decoded, as a token value.
  const match = /^utf-8'[^']*'(.*)$/i.exec(extended);
  return match !== null ? match[1]! : (params.get('filename') ?? extended);
}

/** Files: `name[]` collects a list; any other name keeps the last file. */
function addTo(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name.endsWith('[]') && name.length > 2) {
    const key = name.slice(0, -2);
    const list = target[key];
    if (Array.isArray(list)) list.push(value);
    else target[key] = [value];
  } else {
    target[name] = value;
  }
}
