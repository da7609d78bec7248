import type { Socket } from 'node:net';

const { getSystemErrorName } = process.getBuiltinModule('node:util');

/**
 * Writing to a plain socket's handle directly, past Node's Writable stream.
 *
 * `socket.write` on a socket with nothing queued ends in the handle's own
 * write (the kernel write is tried at once; what it did not take waits in
 * libuv's queue, in order with any later write), but first runs the
 * stream's bookkeeping: state checks, a request object, callbacks. For a
 * reply to a request that is a fixed cost per message; for a broadcast it is
 * paid once per client (measured: about a fifth of the server's CPU per
 * delivery on a 1,000-client broadcast). A connection whose socket has
 * nothing waiting hands its bytes to the handle itself; while anything waits
 * (or a batch is corked), writes go through the stream as before.
 *
 * The handle's write needs Node's write-request class and its shared state
 * array (`process.binding('stream_wrap')`, not public API). Both are checked
 * once; if this Node lacks them, or runs with `--pending-deprecation` (where
 * `process.binding` warns), every write goes through the stream.
 */

/** The write methods of a libuv stream handle (TCP, pipe). */
export interface StreamHandle {
  writeBuffer(request: WriteRequest, data: Uint8Array): number;
  writeUtf8String(request: WriteRequest, data: string): number;
  readonly writeQueueSize: number;
}

/** Told when a write that libuv finished later (not at once) is done. */
export interface DirectWriteOwner {
  directWriteDone(socket: Socket, status: number): void;
}

interface WriteRequest {
  handle: StreamHandle;
  oncomplete: (this: WriteRequest, status: number) => void;
  /** Keeps the bytes alive while libuv still writes them. */
  buffer: Uint8Array | string | null;
  owner: DirectWriteOwner | null;
  socket: Socket | null;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteRequest;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

type WithHandle = Socket & { _handle: Partial<StreamHandle> | null; encrypted?: boolean };

function loadBinding(): StreamWrapBinding | null {
  if (process.execArgv.includes('--pending-deprecation')) return null;
  if (process.env.NODE_PENDING_DEPRECATION === '1') return null;
  const processBinding = (process as unknown as { binding?: (name: string) => unknown }).binding;
  if (typeof processBinding !== 'function') return null;
  try {
    const binding = processBinding.call(process, 'stream_wrap') as Partial<StreamWrapBinding>;
    if (
      typeof binding.WriteWrap === 'function' &&
      binding.streamBaseState instanceof Int32Array &&
      typeof binding.kLastWriteWasAsync === 'number'
    ) {
      return binding as StreamWrapBinding;
    }
  } catch {
    // Not offered by this Node: the stream path it is.
  }
  return null;
}

const binding = loadBinding();

/** Whether this Node offers what direct writes need. */
export const directWritesAvailable = binding !== null;

/** The switch behind `TcpConnection.directWrites`. */
export const directWriteSettings = { enabled: true };

/**
 * The handle to write `socket`'s bytes to directly, or `null` when they must
 * go through the stream: switched off, not offered by this Node, a TLS
 * socket (its handle encrypts; Node's TLS stream keeps state of its own),
 * still connecting, ended, corked by someone, or with bytes already queued.
 */
export function idleHandle(socket: Socket): StreamHandle | null {
  if (binding === null || !directWriteSettings.enabled) return null;
  const owned = socket as WithHandle;
  const handle = owned._handle;
  if (
    handle === null ||
    owned.encrypted === true ||
    socket.writableLength !== 0 ||
    socket.writableCorked !== 0 ||
    socket.writableEnded ||
    socket.connecting ||
    typeof handle.writeBuffer !== 'function' ||
    typeof handle.writeUtf8String !== 'function'
  ) {
    return null;
  }
  return handle as StreamHandle;
}

function onWriteComplete(this: WriteRequest, status: number): void {
  const { owner, socket } = this;
  this.buffer = null;
  this.owner = null;
  this.socket = null;
  if (owner !== null && socket !== null) owner.directWriteDone(socket, status);
}

/**
 * Writes `data` to `handle` (from `idleHandle`). Returns the bytes libuv
 * still holds (0: the kernel took everything now; otherwise `owner` hears
 * `directWriteDone` when they are written), or a negative errno.
 */
export function writeToHandle(
  handle: StreamHandle,
  data: Uint8Array | string,
  socket: Socket,
  owner: DirectWriteOwner,
): number {
  const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding as StreamWrapBinding;
  const request = new WriteWrap();
  request.handle = handle;
  request.oncomplete = onWriteComplete;
  request.buffer = null;
  request.owner = null;
  request.socket = null;
  const error =
    typeof data === 'string'
      ? handle.writeUtf8String(request, data)
      : handle.writeBuffer(request, data);
  if (error !== 0) return error;
  if (streamBaseState[kLastWriteWasAsync] === 0) return 0;
  request.buffer = data;
  request.owner = owner;
  request.socket = socket;
  return Math.max(1, handle.writeQueueSize);
}

/** The error a failed direct write destroys its socket with, shaped as Node's own. */
export function writeError(status: number): NodeJS.ErrnoException {
  const name = getSystemErrorName(status);
  return Object.assign(new Error(`write ${name}`), { errno: status, code: name, syscall: 'write' });
}
