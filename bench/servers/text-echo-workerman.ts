// Our side of bench/text-echo.ts and bench/hot-path.ts: a text:// worker
// that echoes each line, in <processes> node:cluster processes (default 1).
//   node --import tsx bench/servers/text-echo-workerman.ts [processes]
import { TcpConnection, Worker } from '../../src/index.js';
import { runClustered } from '../lib/cluster-server.js';

// DIRECT=0: every write through Node's stream (before/after comparisons).
if (process.env.DIRECT === '0') TcpConnection.directWrites = false;

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
