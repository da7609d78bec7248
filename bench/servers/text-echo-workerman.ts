// Our side of bench/text-echo.ts and bench/hot-path.ts: a text:// worker
// that echoes each line, in <processes> node:cluster processes (default 1).
//   node --import tsx bench/servers/text-echo-workerman.ts [processes]
import { Worker } from '../../src/index.js';
import { runClustered } from '../lib/cluster-server.js';

await runClustered(Number(process.argv[2] ?? 1), async () => {
  const worker = new Worker('text://127.0.0.1:0');
  Worker.stopTimeout = 0;
  worker.onMessage = (connection, line) => {
    connection.send(line);
  };
  await worker.listen();
  // All cluster workers share the port the primary opened for port 0.
  return worker.port;
});
