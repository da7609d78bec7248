// Opens N idle WebSocket connections (handshake done) from source addresses
// first + 0, first + 1, ... (10 000 per address), reports on IPC, then waits.
//   ws-idle-clients.ts <port> <count> <first index>
import type { Socket } from 'node:net';
import { openWebSocket, sourceAddress } from './ws-raw-clients.js';

const [port, count, first] = process.argv.slice(2).map(Number) as [number, number, number];
const sockets: Socket[] = [];
for (let i = 0; i < count; i += 200) {
  const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) =>
    openWebSocket(port, sourceAddress(first + i + j), () => {}),
  );
  sockets.push(...(await Promise.all(batch)));
}
process.send?.({ open: sockets.length });
