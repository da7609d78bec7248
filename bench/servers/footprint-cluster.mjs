// The node:cluster side of bench/process-footprint.ts: a primary that only
// forks COUNT workers, each a node:net echo; the primary prints "ready" once
// every worker listens. Plain JavaScript, like the workerman-ts side.
import cluster from 'node:cluster';
import { createServer } from 'node:net';

const count = Number(process.env.COUNT ?? 2);
if (cluster.isPrimary) {
  cluster.setupPrimary({ execArgv: (process.env.CHILD_FLAGS ?? '').split(' ').filter(Boolean) });
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === count) process.stdout.write('ready\n');
  });
  for (let i = 0; i < count; i++) cluster.fork();
} else {
  const server = createServer((socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => {});
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
}
