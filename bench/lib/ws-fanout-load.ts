// Broadcast load for bench/broadcast.ts: N raw clients (offering
// permessage-deflate or not); client 0 asks for `rounds` broadcasts, one at
// a time, and every client counts the frames that arrive (by their headers,
// whatever their payload, compressed or not) and the delay from the request.
//   ws-fanout-load.ts <port> <clients> <rounds> <deflate: 0|1>
import type { Socket } from 'node:net';
import { frameReader, maskedTextFrame, openWebSocket, sourceAddress } from './ws-raw-clients.js';

const [port, clients, rounds, deflate] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
];
const extensions = deflate ? 'permessage-deflate; client_max_window_bits' : '';
const delays: number[] = [];
let delivered = 0;
let roundStart = 0;
let roundDone: (() => void) | null = null;
const onData = frameReader(() => {
  delays.push(performance.now() - roundStart);
  delivered++;
  if (delivered % clients === 0) roundDone?.();
});

const sockets: Socket[] = [];
for (let i = 0; i < clients; i += 100) {
  const batch = Array.from({ length: Math.min(100, clients - i) }, (_, j) =>
    openWebSocket(port, sourceAddress(i + j), onData, extensions),
  );
  sockets.push(...(await Promise.all(batch)));
}
await new Promise((resolve) => setTimeout(resolve, 500));
const go = maskedTextFrame('go');
process.send?.({ phase: 'measuring' });
const start = performance.now();
for (let round = 0; round < rounds; round++) {
  const done = new Promise<void>((resolve) => {
    roundDone = resolve;
  });
  roundStart = performance.now();
  (sockets[0] as Socket).write(go);
  await done;
}
const elapsed = (performance.now() - start) / 1000;
delays.sort((a, b) => a - b);
process.send?.({
  deliveries: delivered,
  seconds: elapsed,
  p99: delays[Math.floor(delays.length * 0.99)] ?? 0,
});
for (const socket of sockets) socket.destroy();
