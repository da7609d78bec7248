// The peer of bench/text-echo.ts and bench/hot-path.ts: a plain node:net
// server doing the same newline framing by hand, the way it is usually
// written, in <processes> node:cluster processes (default 1).
//   node --import tsx bench/servers/text-echo-net.ts [processes]
import { createServer } from 'node:net';
import { runClustered } from '../lib/cluster-server.js';

await runClustered(Number(process.argv[2] ?? 1), async () => {
  const server = createServer({ noDelay: true }, (socket) => {
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let at = pending.indexOf('\n');
      while (at !== -1) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 1);
        socket.write(`${line}\n`);
        at = pending.indexOf('\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
