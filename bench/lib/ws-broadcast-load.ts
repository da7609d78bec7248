// Broadcast load: N clients; one of them asks the server `rounds` times to
// broadcast a message carrying the send time; every client records the
// delay until it arrives. Reports deliveries per second and the p99 delay.
//   ws-broadcast-load.ts <port> <clients> <rounds>
import type { Socket } from 'node:net';
import { frameReader, maskedTextFrame, openWebSocket, sourceAddress } from './ws-raw-clients.js';

const [port, clients, rounds] = process.argv.slice(2).map(Number) as [number, number, number];
const delays: number[] = [];
let delivered = 0;
let roundDone: (() => void) | null = null;

// Broadcast frames are small ("broadcast <ms>"): text after a 2-byte header.
const onData = frameReader((_socket, data, start, end) => {
  const text = data.toString('latin1', start, end);
  delays.push(performance.timeOrigin + performance.now() - Number(text.slice(10)));
  delivered++;
  if (delivered % clients === 0) roundDone?.();
});

const sockets: Socket[] = [];
for (let i = 0; i < clients; i += 100) {
  const batch = Array.from({ length: Math.min(100, clients - i) }, (_, j) =>
    openWebSocket(port, sourceAddress(i + j), onData),
  );
  sockets.push(...(await Promise.all(batch)));
}
await new Promise((resolve) => setTimeout(resolve, 500));
process.send?.({ phase: 'measuring' });
const start = performance.now();
for (let round = 0; round < rounds; round++) {
  const done = new Promise<void>((resolve) => {
    roundDone = resolve;
  });
  const now = (performance.timeOrigin + performance.now()).toFixed(3);
  (sockets[0] as Socket).write(maskedTextFrame(`broadcast ${now}`));
  await done;
}
const elapsed = (performance.now() - start) / 1000;
delays.sort((a, b) => a - b);
process.send?.({
  deliveries: delivered,
  seconds: elapsed,
  p99: delays[Math.floor(delays.length * 0.99)] ?? 0,
});
