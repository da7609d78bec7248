import { webSocketDefaults } from './defaults.js';

/**
 * The per-process limiter of permessage-deflate work on libuv's threadpool.
 *
 * Node's asynchronous zlib runs on the threadpool, and the event loop only
 * collects the output, chunk by chunk, between its other events: a large or
 * crafted compressed message then delays nobody else's messages. The pool
 * is small and shared (files, DNS), so at most
 * `webSocketDefaults.zlibConcurrency` jobs run at once; the others wait in
 * arrival order. A receiving connection has at most one job (it reads
 * nothing more until its message is inflated), so the queue is bounded by
 * the connections, and a sender's by its `maxSendBufferSize`.
 */
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `job` when a place is free; settles as it does. */
export function runZlibJob<T>(job: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const start = (): void => {
      running++;
      job().then(resolve, reject).finally(startNext);
    };
    if (running < Math.max(1, webSocketDefaults.zlibConcurrency)) start();
    else waiting.push(start);
  });
}

function startNext(): void {
  running--;
  waiting.shift()?.();
}

/** Jobs running and waiting (for tests and status). */
export function zlibJobCounts(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}
