// Minimal WebSocket clients for the benchmarks: a raw handshake, then
// prebuilt masked frames, so the load generator costs little CPU and is the
// same for every server measured.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** One masked text frame for `payload` (fixed key: the server unmasks it all the same). */
export function maskedTextFrame(payload: string): Buffer {
  const body = Buffer.from(payload);
  const length = body.length;
  const head =
    length < 126 ? [0x81, 0x80 | length] : [0x81, 0x80 | 126, length >> 8, length & 0xff];
  const key = [0x12, 0x34, 0x56, 0x78];
  const out = Buffer.concat([Buffer.from(head), Buffer.from(key), body]);
  for (let i = 0; i < length; i++)
    out[head.length + 4 + i] = (body[i] as number) ^ (key[i % 4] as number);
  return out;
}

/** Bytes of the unmasked server frame carrying `payloadBytes`. */
export function serverFrameBytes(payloadBytes: number): number {
  return (payloadBytes < 126 ? 2 : payloadBytes < 0x10000 ? 4 : 10) + payloadBytes;
}

/**
 * Opens a socket (from `localAddress`), sends the upgrade request for `path`
 * (offering `extensions`, e.g. permessage-deflate, when given) and
 * resolves once the 101 answer's head was read; `onData` then gets the frames.
 */
export function openWebSocket(
  port: number,
  localAddress: string,
  onData: (socket: Socket, chunk: Buffer) => void,
  extensions = '',
  path = '/',
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          (extensions ? `Sec-WebSocket-Extensions: ${extensions}\r\n` : '') +
          '\r\n',
      );
    });
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onHead);
      if (!head.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) {
        reject(new Error(`handshake refused: ${head.subarray(0, end).toString()}`));
        return;
      }
      socket.on('data', (data: Buffer) => onData(socket, data));
      const rest = head.subarray(end + 4);
      if (rest.length > 0) onData(socket, rest);
      resolve(socket);
    };
    socket.on('data', onHead);
  });
}

/** Source address for the i-th connection: 10 000 per address from 127.0.0.2 (bounded). */
export function sourceAddress(index: number): string {
  const host = 2 + Math.floor(index / 10_000);
  if (host > 250) throw new Error('too many connections for the loopback source addresses');
  return `127.0.0.${host}`;
}

/**
 * The frames of unmasked server-to-client traffic, for many sockets: returns
 * the `onData` to give `openWebSocket`; `onFrame` gets each frame's payload
 * as `data[start, end)` (no copy; valid only during the call). A frame split
 * across reads is held per socket until it is whole.
 */
export function frameReader(
  onFrame: (socket: Socket, data: Buffer, start: number, end: number) => void,
): (socket: Socket, data: Buffer) => void {
  const leftovers = new Map<Socket, Buffer>();
  return (socket, data) => {
    const held = leftovers.get(socket);
    const chunk = held ? Buffer.concat([held, data]) : data;
    let at = 0;
    for (;;) {
      if (at + 2 > chunk.length) break;
      const short = (chunk[at + 1] as number) & 0x7f;
      const header = short < 126 ? 2 : short === 126 ? 4 : 10;
      if (at + header > chunk.length) break;
      const length =
        short < 126
          ? short
          : short === 126
            ? chunk.readUInt16BE(at + 2)
            : Number(chunk.readBigUInt64BE(at + 2));
      if (at + header + length > chunk.length) break;
      onFrame(socket, chunk, at + header, at + header + length);
      at += header + length;
    }
    if (at < chunk.length) leftovers.set(socket, chunk.subarray(at));
    else if (held) leftovers.delete(socket);
  };
}
