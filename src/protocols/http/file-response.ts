import type { FileHandle } from 'node:fs/promises';
import { clock } from '../../timer/deadline-sweeper.js';
import { finishRequest, type HttpState, Phase } from './http-state.js';
import { mimeType } from './mime-types.js';
import type { Response } from './response.js';
import { encodeResponseHead, statusResponse } from './response-head.js';

const { open } = process.getBuiltinModule('node:fs/promises');

/**
 * Bytes read from the file per step: a quarter of the connection's
 * `maxSendBufferSize`, within these bounds. Each read is a thread-pool round
 * trip and each chunk one socket write, so bigger steps cost less CPU per
 * byte: a 1 MB file goes in 4 reads instead of 16 at 64 KiB.
 */
const MIN_READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 256 * 1024;

/** Set by the codec when the connection closes mid-stream; `wake` ends a wait for drain. */
interface StreamControl {
  aborted: boolean;
  wake: (() => void) | null;
}

interface Timeouts {
  keepAliveTimeout: number;
  sendTimeout: number;
}

/**
 * Answers with a file streamed from disk. Conditional and partial requests:
 *  - `If-Modified-Since` not older than the file's mtime: 304 (RFC 9110 §13.1.3);
 *  - one `Range: bytes=a-b` / `a-` / `-n`: 206 with `Content-Range`, or 416
 *    when it lies outside the file (§14); several ranges get the whole file.
 * The file is read while the send buffer is below half of `maxSendBufferSize`
 * and waits for it to empty otherwise, so a slow reader costs no memory; a
 * reader stalled longer than `sendTimeout` is cut by the codec's sweeper.
 */
export function sendFileResponse(state: HttpState, response: Response, options: Timeouts): void {
  stream(state, response, options).catch(() => {
    state.connection.destroy();
  });
}

async function stream(state: HttpState, response: Response, options: Timeouts): Promise<void> {
  const connection = state.connection;
  const request = state.request;
  const isHead = request?.method() === 'HEAD';
  const spec = response.file!;
  let handle: FileHandle;
  try {
    handle = await open(spec.file, 'r');
  } catch {
    connection.send(notFound(state), true);
    finishRequest(state, options.keepAliveTimeout * 1000);
    return;
  }
  const control: StreamControl = { aborted: false, wake: null };
  state.abortFile = () => {
    control.aborted = true;
    control.wake?.();
  };
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      connection.send(notFound(state), true);
      finishRequest(state, options.keepAliveTimeout * 1000);
      return;
    }
    // The window the app chose (offset/length), then the client's Range inside it.
    const windowStart = Math.min(spec.offset, stat.size);
    const windowEnd = spec.length > 0 ? Math.min(windowStart + spec.length, stat.size) : stat.size;
    const size = windowEnd - windowStart;
    const mtime = Math.floor(stat.mtimeMs / 1000);
    if (!response.hasHeader('last-modified')) {
      response.header('Last-Modified', new Date(mtime * 1000).toUTCString());
    }
    if (!response.hasHeader('content-type')) response.header('Content-Type', mimeType(spec.file));
    response.header('Accept-Ranges', 'bytes');
    const since = Date.parse(request?.header('if-modified-since') ?? '');
    if (response.getStatusCode() === 200 && !Number.isNaN(since) && mtime <= since / 1000) {
      response.withStatus(304);
      connection.send(encodeResponseHead(response, state, 'stream', true), true);
      finishRequest(state, options.keepAliveTimeout * 1000);
      return;
    }
    let from = 0;
    let to = size;
    const range = request?.header('range');
    if (range !== undefined && response.getStatusCode() === 200) {
      const parsed = parseRange(range, size);
      if (parsed === 'unsatisfiable') {
        response.withStatus(416).header('Content-Range', `bytes */${size}`);
        response.header('Content-Length', 0);
        connection.send(encodeResponseHead(response, state, 'stream', true), true);
        finishRequest(state, options.keepAliveTimeout * 1000);
        return;
      }
      if (parsed !== null) {
        [from, to] = parsed;
        response.withStatus(206).header('Content-Range', `bytes ${from}-${to - 1}/${size}`);
      }
    }
    connection.send(encodeResponseHead(response, state, 'stream', isHead, to - from), true);
    if (!isHead) await pump(state, handle, windowStart + from, windowStart + to, options, control);
    if (!control.aborted) finishRequest(state, options.keepAliveTimeout * 1000);
  } finally {
    state.abortFile = null;
    await handle.close();
  }
}

async function pump(
  state: HttpState,
  handle: FileHandle,
  start: number,
  end: number,
  options: Timeouts,
  control: StreamControl,
): Promise<void> {
  const connection = state.connection;
  const step = Math.min(
    MAX_READ_BYTES,
    Math.max(MIN_READ_BYTES, Math.floor(connection.maxSendBufferSize / 4)),
  );
  const read = (at: number, into: Buffer | null) => {
    const length = Math.min(step, end - at);
    const chunk = into !== null && into.length >= length ? into : Buffer.allocUnsafe(length);
    return handle.read(chunk, 0, length, at);
  };
  let position = start;
  let next = read(position, null);
  while (!control.aborted) {
    const { bytesRead, buffer } = await next;
    if (bytesRead === 0 || control.aborted) {
      // The file shrank under us: the promised length cannot be kept.
      if (bytesRead === 0) connection.destroy();
      return;
    }
    position += bytesRead;
    const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    if (connection.send(chunk, true) === false) return;
    if (position >= end) return;
    // Read the next chunk while the socket sends this one (at most one
    // chunk ahead, so memory stays bounded by maxSendBufferSize + one step).
    // When the socket took this chunk whole (nothing waits in its buffer),
    // no one refers to the chunk any more: the next read reuses it.
    const flushed = connection.getSendBufferQueueSize() === 0;
    next = read(position, flushed ? buffer : null);
    if (!flushed && connection.getSendBufferQueueSize() >= connection.maxSendBufferSize / 2) {
      state.phase = Phase.SENDING;
      state.deadline = options.sendTimeout > 0 ? clock.now + options.sendTimeout * 1000 : 0;
      await new Promise<void>((resolve) => {
        control.wake = resolve;
        connection.whenSendBufferEmpty(resolve);
      });
      control.wake = null;
      state.phase = Phase.HANDLING;
      state.deadline = 0;
    }
  }
  // Aborted with a read in flight: let it settle before the file is closed.
  await next.catch(() => {});
}

/** One `bytes=` range as [from, to) within `size`; null: serve the whole file. */
export function parseRange(
  header: string,
  size: number,
): [number, number] | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return null; // several ranges or another unit: the whole file
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size];
  }
  const from = Number(first);
  if (from >= size) return 'unsatisfiable';
  const to = last === '' ? size : Math.min(Number(last) + 1, size);
  if (to <= from) return null;
  return [from, to];
}

function notFound(state: HttpState): string {
  const text = statusResponse(404);
  return state.keepAlive ? text.replace('Connection: close', 'Connection: keep-alive') : text;
}
