// The least a Node server can do per delivery, for bench/broadcast.ts: the
// WebSocket frame built once, then handed straight to each socket's handle
// (no stream, no per-connection state); only for clients without
// permessage-deflate. Uses Node internals (process.binding('stream_wrap')),
// which is why it is a reference and not a way to write a server.
import type { Socket } from 'node:net';
import { Worker } from '../../src/index.js';
import { BROADCAST_PAYLOAD } from '../lib/broadcast-payload.js';

interface Handle {
  writeBuffer(request: object, data: Buffer): number;
}
const { WriteWrap } = (
  process as unknown as { binding(name: string): { WriteWrap: new () => Record<string, unknown> } }
).binding('stream_wrap');
const onComplete = () => {};
const payload = Buffer.from(BROADCAST_PAYLOAD);
const frame = Buffer.concat([
  Buffer.from([0x81, 126, payload.length >> 8, payload.length & 255]),
  payload,
]);

const worker = new Worker('websocket://127.0.0.1:0');
Worker.stopTimeout = 0;
worker.onMessage = (_connection, data) => {
  if (data !== 'go') return;
  for (const connection of worker.connections.values()) {
    const socket = (connection as unknown as { socket: Socket & { _handle: Handle } }).socket;
    const request = new WriteWrap();
    request.handle = socket._handle;
    request.oncomplete = onComplete;
    request.buffer = frame;
    socket._handle.writeBuffer(request, frame);
  }
};
await worker.listen();
process.send?.({ port: worker.port });
