import { decodeComponent } from './form-fields.js';
import { nestFields } from './nested-fields.js';
import type { ParsedBody, UploadedFile } from './request-body.js';

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
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) continue;
    const filename = dispositionParam(disposition, 'filename');
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

function dispositionParam(disposition: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(
    disposition,
  );
  if (match === null) return undefined;
  if (match[1] !== undefined) return match[1].replace(/\\(.)/g, '$1');
  return decodeComponent(match[2] ?? '', false);
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
