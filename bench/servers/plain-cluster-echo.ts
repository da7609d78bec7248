// The peer of bench/process-sharing.ts: node:cluster with 2 children (the
// default round-robin policy) and a hand-written node:net text echo.
import { createServer } from 'node:net';
import { runClustered } from '../lib/cluster-server.js';

await runClustered(Number(process.env.COUNT ?? 2), async () => {
  const server = createServer({ noDelay: true }, (socket) => {
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let at = pending.indexOf('\n'); at !== -1; at = pending.indexOf('\n')) {
        socket.write(`${pending.slice(0, at)}\n`);
        pending = pending.slice(at + 1);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PORT), '127.0.0.1', resolve),
  );
  return Number(process.env.PORT);
});
