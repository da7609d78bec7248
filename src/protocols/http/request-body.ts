import { parseUrlEncoded } from './form-fields.js';
import { parseMultipart } from './multipart.js';
import type { ParsedBody } from './parsed-body.js';

export type { ParsedBody, UploadedFile } from './parsed-body.js';

/** Limits of a multipart body; the body itself is already bounded by `maxPackageSize`. */
export const uploadLimits = { maxFileCount: 1024, maxPartCount: 4096 };

/**
 * Parses a body by its `Content-Type`: urlencoded, JSON (an object's members
 * become fields) or `multipart/form-data`. Anything else, or a body that does
 * not parse, gives no fields.
 */
export function parseBody(contentType: string, body: Buffer): ParsedBody {
  const files: ParsedBody['files'] = Object.create(null);
  if (body.length === 0) return { fields: Object.create(null), files };
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return { fields: parseUrlEncoded(body.toString('utf8')), files };
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      const value: unknown = JSON.parse(body.toString('utf8'));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return { fields: Object.assign(Object.create(null), value), files };
      }
    } catch {
      // Not JSON after all: no fields.
    }
    return { fields: Object.create(null), files };
  }
  if (type === 'multipart/form-data') return parseMultipart(contentType, body, uploadLimits);
  return { fields: Object.create(null), files };
}
