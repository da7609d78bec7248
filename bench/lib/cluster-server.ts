// Runs a server in N node:cluster processes (the process manager of
// workerman-ts is not used here, so both sides are forked the same way).
// The primary tells the parent (over IPC) the shared port and every pid,
// so the benchmark can read the CPU time of the whole server.
import cluster from 'node:cluster';

export async function runClustered(
  processes: number,
  start: () => Promise<number>,
  onControl: (message: unknown) => void = () => {},
): Promise<void> {
  if (processes <= 1) {
    const port = await start();
    process.on('message', onControl);
    process.send?.({ port, pids: [process.pid] });
    return;
  }
  if (cluster.isPrimary) {
    const workers = Array.from({ length: processes }, () => cluster.fork());
    const ports = await Promise.all(
      workers.map(
        (worker) =>
          new Promise<number>((resolve) =>
            worker.once('message', (message: { port: number }) => resolve(message.port)),
          ),
      ),
    );
    process.send?.({
      port: ports[0],
      pids: [process.pid, ...workers.map((worker) => worker.process.pid as number)],
    });
    return;
  }
  const port = await start();
  process.send?.({ port });
}
