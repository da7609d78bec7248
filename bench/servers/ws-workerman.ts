// Our websocket:// worker for bench/websocket.ts: echo, or broadcast to every
// connection of this process when a message starts with "broadcast".
//   node --import tsx bench/servers/ws-workerman.ts <processes>
import { TcpConnection, Worker } from '../../src/index.js';
import { runClustered } from '../lib/cluster-server.js';

// DIRECT=0: every write through Node's stream (before/after comparisons).
if (process.env.DIRECT === '0') TcpConnection.directWrites = false;

// "idle": collect garbage every second, so resident memory shows live objects only.
if (process.argv[3] === 'idle') setInterval(() => global.gc?.(), 1000).unref();

await runClustered(
  Number(process.argv[2] ?? 1),
  async () => {
    const worker = new Worker('websocket://127.0.0.1:0');
    Worker.stopTimeout = 0;
    worker.onMessage = (connection, data) => {
      if (typeof data === 'string' && data.startsWith('broadcast')) {
        for (const each of worker.connections.values()) each.send(data);
      } else {
        connection.send(data);
      }
    };
    await worker.listen();
    // All cluster workers share the port the primary opened for port 0.
    return worker.port;
  },
  () => {
    global.gc?.();
    process.send?.({ heap: process.memoryUsage().heapUsed });
  },
);
