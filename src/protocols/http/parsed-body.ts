/** What a request body parses into: its fields and its uploaded files. */

/** An uploaded file of a multipart body, kept in memory (bounded by `maxPackageSize`). */
export interface UploadedFile {
  /** The file name the client sent (never a path to trust). */
  name: string;
  /** The part's `Content-Type`, or `application/octet-stream`. */
  type: string;
  size: number;
  data: Buffer;
}

export interface ParsedBody {
  fields: Record<string, unknown>;
  files: Record<string, UploadedFile | UploadedFile[]>;
}
