// Opens N idle connections to 127.0.0.1:port from source addresses
// 127.0.0.2, 127.0.0.3, ... (10 000 per address), then reports on IPC and
// waits to be killed.
import { connect, type Socket } from 'node:net';

const [portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const sockets: Socket[] = [];
const PER_SOURCE = 10_000;

function open(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const localAddress = `127.0.0.${2 + Math.floor(index / PER_SOURCE)}`;
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => resolve());
    socket.once('error', reject);
    sockets.push(socket);
  });
}

for (let i = 0; i < count; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => open(i + j)));
}
// Give the server a moment to accept the last batch before it is measured.
await new Promise((resolve) => setTimeout(resolve, 500));
process.send?.({ open: sockets.length });
