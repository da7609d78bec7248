import { Worker } from '../../src/index.js';

const worker = new Worker('text://127.0.0.1:0');
worker.onMessage = (connection, data) => {
  connection.send(`hello ${data}`);
};
worker.onWorkerStart = (w) => {
  console.log(`listening on ${w.port}`);
};
Worker.runAll();
