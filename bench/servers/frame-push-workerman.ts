// Our side of bench/internal-link.ts: a frame:// worker that pushes messages
// to the connection that opened the link, from outside any read of it (one
// burst per event-loop turn, as a gateway forwarding to a business worker),
// while less than 1 MiB waits to be sent. BATCH=0 turns send batching off.
import { TcpConnection, Worker } from '../../src/index.js';

if (process.env.BATCH === '0') TcpConnection.batchSends = false;
const BURST = 100;
const message = Buffer.alloc(64, 'm');
const worker = new Worker('frame://127.0.0.1:0');
worker.onConnect = (connection) => {
  const pump = () => {
    if (connection.getStatus() !== TcpConnection.STATUS_ESTABLISHED) return;
    for (let i = 0; i < BURST; i++) connection.send(message);
    if (connection.getSendBufferQueueSize() < 1024 * 1024) setImmediate(pump);
    else connection.whenSendBufferEmpty(pump);
  };
  setImmediate(pump);
};
await worker.listen();
process.send?.({ port: worker.port });
