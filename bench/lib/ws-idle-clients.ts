// Opens N idle WebSocket connections (handshake done) from source addresses
// first + 0, first + 1, ... (10 000 per address), `batch` at a time (200 by
// default), reports on IPC, then waits. With `wait`, it first reports
// `{ ready: true }` and connects only when told (any IPC message), so a
// parent can measure the servers with this process already running.
//   ws-idle-clients.ts <port> <count> <first index> [batch] [wait]
import type { Socket } from 'node:net';
import { openWebSocket, sourceAddress } from './ws-raw-clients.js';

const [port, count, first, batchSize = 200] = process.argv.slice(2, 6).map(Number) as [
  number,
  number,
  number,
  number?,
];
if (process.argv[6] === 'wait') {
  await new Promise((resolve) => {
    process.once('message', resolve);
    process.send?.({ ready: true });
  });
}
const sockets: Socket[] = [];
for (let i = 0; i < count; i += batchSize) {
  const batch = Array.from({ length: Math.min(batchSize, count - i) }, (_, j) =>
    openWebSocket(port, sourceAddress(first + i + j), () => {}),
  );
  sockets.push(...(await Promise.all(batch)));
}
process.send?.({ open: sockets.length });
