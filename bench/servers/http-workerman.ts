// Our http:// worker for bench/http.ts: "Hello World" on every path, except
// /static/<name>, answered from disk with Response.withFile.
//   node --import tsx bench/servers/http-workerman.ts <processes> <static dir>
import { join } from 'node:path';
import { Response, TcpConnection, Worker } from '../../src/index.js';
import { runClustered } from '../lib/cluster-server.js';

// DIRECT=0: every write through Node's stream (before/after comparisons).
if (process.env.DIRECT === '0') TcpConnection.directWrites = false;

const staticDir = process.argv[3] ?? '/tmp';

await runClustered(Number(process.argv[2] ?? 1), async () => {
  const worker = new Worker('http://127.0.0.1:0');
  Worker.stopTimeout = 0;
  worker.onMessage = (connection, request) => {
    const path = request.path();
    if (path.startsWith('/static/')) {
      connection.send(new Response().withFile(join(staticDir, path.slice(8))));
      return;
    }
    connection.send('Hello World');
  };
  await worker.listen();
  // All cluster workers share the port the primary opened for port 0.
  return worker.port;
});
