// The same server with the ws package (bufferutil installed, so ws uses it)
// for bench/websocket.ts.
//   node --import tsx bench/servers/ws-ws.ts <processes>
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { runClustered } from '../lib/cluster-server.js';

// "idle": collect garbage every second, so resident memory shows live objects only.
if (process.argv[3] === 'idle') setInterval(() => global.gc?.(), 1000).unref();

await runClustered(
  Number(process.argv[2] ?? 1),
  async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(server, 'listening');
    server.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => {
        if (!isBinary && (data as Buffer).toString('latin1', 0, 9) === 'broadcast') {
          for (const each of server.clients) each.send(data, { binary: false });
        } else {
          socket.send(data, { binary: isBinary });
        }
      });
    });
    return (server.address() as { port: number }).port;
  },
  () => {
    global.gc?.();
    process.send?.({ heap: process.memoryUsage().heapUsed });
  },
);
