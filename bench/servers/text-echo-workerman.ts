// Our side of bench/text-echo.ts: a text:// worker that echoes each line.
import { Worker } from '../../src/index.js';

const worker = new Worker('text://127.0.0.1:0');
worker.onMessage = (connection, line) => {
  connection.send(line);
};
await worker.listen();
process.send?.({ port: worker.port });
