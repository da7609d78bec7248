// Holds idle connections for bench/idle-memory.ts.
import { Worker } from '../../src/index.js';

const worker = new Worker('text://127.0.0.1:0');
worker.onMessage = (connection, line) => {
  connection.send(line);
};
await worker.listen();
process.on('message', () => {
  global.gc?.();
  process.send?.({ heap: process.memoryUsage().heapUsed });
});
process.send?.({ port: worker.port });
