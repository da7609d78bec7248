// The peer of the floor row of bench/hot-path.ts: a bare node:net server
// that writes each chunk back as it arrives ('data' events, socket.write),
// in <processes> node:cluster processes.
//   node --import tsx bench/servers/echo-net-raw.ts [processes]
import { createServer } from 'node:net';
import { runClustered } from '../lib/cluster-server.js';

await runClustered(Number(process.argv[2] ?? 1), async () => {
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
