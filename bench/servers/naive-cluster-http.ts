// The peer of bench/reload-http.ts: node:http in COUNT node:cluster workers,
// the same answers as bench/servers/managed-http.ts, reloaded the way a
// hand-written cluster app does it: for each worker, fork a new one, wait
// until it listens, then `disconnect()` the old one (its server closes, idle
// keep-alive connections are closed, Node's default) and wait for its exit,
// killing it after 3 s (the managed side's stopTimeout): keep-alive clients
// that keep sending hold a disconnecting worker open indefinitely.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createServer } from 'node:http';

const port = Number(process.env.PORT);

if (cluster.isPrimary) {
  const fork = async (): Promise<Worker> => {
    const worker = cluster.fork();
    await once(worker, 'listening');
    return worker;
  };
  let workers = await Promise.all(
    Array.from({ length: Number(process.env.COUNT ?? 2) }, () => fork()),
  );
  process.on('message', async (message: string) => {
    if (message !== 'reload') return;
    const next: Worker[] = [];
    for (const old of workers) {
      next.push(await fork());
      const exited = once(old, 'exit');
      old.disconnect();
      const kill = setTimeout(() => old.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(kill);
    }
    workers = next;
    process.send?.('reloaded');
  });
  process.send?.({ port, pids: [process.pid, ...workers.map((w) => w.process.pid)] });
} else {
  createServer((request, response) => {
    const path = request.url ?? '/';
    const body = `${process.pid} ${path}`;
    if (path.startsWith('/slow/')) setTimeout(() => response.end(body), 15);
    else response.end(body);
  }).listen(port, '127.0.0.1');
}
