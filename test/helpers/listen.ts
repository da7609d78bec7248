import type { TestContext } from 'node:test';
import { Worker } from '../../src/index.js';

/**
 * Creates a worker on a free loopback port, lets `setup` assign callbacks,
 * listens, and stops it when the test ends.
 */
export async function listenWorker<A extends string>(
  t: TestContext,
  address: A,
  setup: (worker: Worker<A>) => void = () => {},
): Promise<Worker<A>> {
  const worker = new Worker(address);
  setup(worker);
  await worker.listen();
  t.after(() => worker.stop());
  return worker;
}

/** Resolves after `predicate` holds, checking every few milliseconds (bounded). */
export async function eventually(predicate: () => boolean, what: string, limitMs = 10_000) {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
