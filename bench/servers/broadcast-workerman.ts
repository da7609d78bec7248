// Our side of bench/broadcast.ts: on "go", Worker.broadcast of the payload
// to every connection (one encoding per negotiated parameter set).
import { TcpConnection, Worker } from '../../src/index.js';
import { BROADCAST_PAYLOAD } from '../lib/broadcast-payload.js';

if (process.env.BATCH === '0') TcpConnection.batchSends = false;
if (process.env.DIRECT === '0') TcpConnection.directWrites = false;
const worker = new Worker('websocket://127.0.0.1:0');
Worker.stopTimeout = 0;
worker.onMessage = (_connection, data) => {
  if (data === 'go') worker.broadcast(BROADCAST_PAYLOAD);
};
await worker.listen();
process.send?.({ port: worker.port });
