// Broadcast load: N clients; one of them asks the server `rounds` times to
// broadcast a message carrying the send time; every client records the
// delay until it arrives. Reports deliveries per second and the p99 delay.
//   ws-broadcast-load.ts <port> <clients> <rounds>
import type { Socket } from 'node:net';
import { maskedTextFrame, openWebSocket, sourceAddress } from './ws-raw-clients.js';

const [port, clients, rounds] = process.argv.slice(2).map(Number) as [number, number, number];
const delays: number[] = [];
let delivered = 0;
let roundDone: (() => void) | null = null;

const leftovers = new Map<Socket, Buffer>();

function onData(socket: Socket, data: Buffer): void {
  // Broadcast frames are small ("broadcast <ms>"): a 2-byte header, then text.
  const held = leftovers.get(socket);
  const chunk = held ? Buffer.concat([held, data]) : data;
  let at = 0;
  while (at + 2 <= chunk.length) {
    const length = (chunk[at + 1] as number) & 0x7f;
    if (at + 2 + length > chunk.length) break;
    const text = chunk.toString('latin1', at + 2, at + 2 + length);
    delays.push(performance.timeOrigin + performance.now() - Number(text.slice(10)));
    delivered++;
    at += 2 + length;
  }
  if (at < chunk.length) leftovers.set(socket, chunk.subarray(at));
  else if (held) leftovers.delete(socket);
  if (delivered % clients === 0) roundDone?.();
}

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
