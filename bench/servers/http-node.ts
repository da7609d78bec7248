// node:http peer for bench/http.ts, the same answers as http-workerman.ts:
// "Hello World" (with the same Content-Type), files streamed from disk.
//   node --import tsx bench/servers/http-node.ts <processes> <static dir>
import { createReadStream, stat } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { runClustered } from '../lib/cluster-server.js';

const staticDir = process.argv[3] ?? '/tmp';

await runClustered(Number(process.argv[2] ?? 1), async () => {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    if (path.startsWith('/static/')) {
      const file = join(staticDir, path.slice(8));
      stat(file, (error, info) => {
        if (error) {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': info.size,
        });
        createReadStream(file).pipe(response);
      });
      return;
    }
    response.setHeader('Content-Type', 'text/html;charset=utf-8');
    response.end('Hello World');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
});
