/**
 * Work a process must not abandon when it stops or reloads, such as a
 * session save started after its answer went out. `Worker.stop()` waits for
 * it together with its connections, within `Worker.stopTimeout`; what is
 * still unfinished then is abandoned with the process.
 */
const unfinished = new Set<Promise<unknown>>();

/** Holds the process's exit (bounded by `Worker.stopTimeout`) until `work` settles. */
export function finishBeforeExit(work: Promise<unknown>): void {
  unfinished.add(work);
  const done = () => unfinished.delete(work);
  work.then(done, done);
}

/** How many pieces of work are still unfinished. */
export function unfinishedWork(): number {
  return unfinished.size;
}
