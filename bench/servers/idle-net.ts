// The peer for bench/idle-memory.ts: node:net keeping each socket with a data listener.
import { createServer } from 'node:net';

const sockets = new Set();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', () => {
  global.gc?.();
  process.send?.({ heap: process.memoryUsage().heapUsed });
});
