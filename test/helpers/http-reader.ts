import type { TestClient } from './test-client.js';

export interface RawResponse {
  status: number;
  /** Lower-cased names, in order. */
  headers: [string, string][];
  body: Buffer;
  header(name: string): string | undefined;
}

/**
 * Reads one HTTP/1.1 response from a raw client: the head, then a body by
 * Content-Length or chunked framing (none for HEAD / 1xx / 204 / 304 when
 * `noBody`). Keeps any following bytes in the client for the next read.
 */
export async function readResponse(client: TestClient, noBody = false): Promise<RawResponse> {
  let head = '';
  for (;;) {
    const line = await client.readLine();
    if (line === '\r' || line === '') break;
    head += `${line}\n`;
  }
  const [statusLine = '', ...lines] = head.trimEnd().split('\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
  });
  const header = (name: string) => headers.find(([n]) => n === name)?.[1];
  let body = Buffer.alloc(0);
  if (!noBody && status >= 200 && status !== 204 && status !== 304) {
    if (header('transfer-encoding') === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const size = Number.parseInt((await client.readLine()).trim(), 16);
        if (size === 0) {
          await client.readLine();
          break;
        }
        parts.push(await client.readBytes(size));
        await client.readBytes(2);
      }
      body = Buffer.concat(parts);
    } else {
      body = Buffer.from(await client.readBytes(Number(header('content-length') ?? 0)));
    }
  }
  return { status, headers, body, header };
}
