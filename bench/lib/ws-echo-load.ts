// Echo load: N connections, each with one message in flight; counts replies
// for `seconds` after a one-second warm-up and reports on IPC. Consecutive
// messages differ in content (same length), so no server can answer from a
// cache of the last frame it built or received.
//   ws-echo-load.ts <port> <connections> <seconds> <payload bytes>
import type { Socket } from 'node:net';
import {
  maskedTextFrame,
  openWebSocket,
  serverFrameBytes,
  sourceAddress,
} from './ws-raw-clients.js';

const [port, connections, seconds, payloadBytes] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
];
const VARIANTS = 64;
const frames = Array.from({ length: VARIANTS }, (_, i) => {
  const tag = i.toString(36).padStart(2, '0');
  return maskedTextFrame((tag + 'x'.repeat(payloadBytes)).slice(0, payloadBytes));
});
let sent = 0;
const nextFrame = () => frames[sent++ % VARIANTS] as Buffer;
const replyBytes = serverFrameBytes(payloadBytes);
let replies = 0;
const pending = new Map<Socket, number>();

function onData(socket: Socket, chunk: Buffer): void {
  let bytes = (pending.get(socket) ?? 0) + chunk.length;
  while (bytes >= replyBytes) {
    bytes -= replyBytes;
    replies++;
    socket.write(nextFrame());
  }
  pending.set(socket, bytes);
}

const sockets: Socket[] = [];
for (let i = 0; i < connections; i += 100) {
  const batch = Array.from({ length: Math.min(100, connections - i) }, (_, j) =>
    openWebSocket(port, sourceAddress(i + j), onData),
  );
  sockets.push(...(await Promise.all(batch)));
}
for (const socket of sockets) socket.write(nextFrame());
await new Promise((resolve) => setTimeout(resolve, 1000));
process.send?.({ phase: 'measuring' });
const start = process.hrtime.bigint();
const startReplies = replies;
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
process.send?.({ replies: replies - startReplies, seconds: elapsed });
