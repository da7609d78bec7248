// The socket.io 4 side of bench/gateway.ts: 2 node:cluster processes sharing
// one port, linked by the Redis adapter (redis-server at REDIS_PORT), clients
// on the websocket transport only (so no sticky sessions are needed). An "m"
// event whose text starts with "a" goes to every client (`io.emit`), any
// other back to its sender (`socket.emit`).
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { runClustered } from '../lib/cluster-server.js';

await runClustered(2, async () => {
  const redisPort = Number(process.env.REDIS_PORT);
  const pub = new Redis({ port: redisPort, host: '127.0.0.1' });
  const sub = pub.duplicate();
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], adapter: createAdapter(pub, sub) });
  io.on('connection', (socket) => {
    socket.on('m', (text: string) => {
      if (text.charCodeAt(0) === 0x61) io.emit('m', text);
      else socket.emit('m', text);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return (http.address() as { port: number }).port;
});
