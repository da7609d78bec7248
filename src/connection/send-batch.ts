/**
 * Batching of sends made outside a socket read (from a timer, another
 * connection's `onMessage`, an internal link): the first such send in an
 * event-loop turn is held by its connection (send-queue.ts), which enlists
 * here; one process-wide flush, scheduled once per turn, writes what every
 * enlisted connection holds, so a turn's sends to one peer leave in one
 * `writev` (or one direct write, when there is one) instead of one `write`
 * system call each.
 *
 * The flush runs on `process.nextTick`: after the callback that sent (the
 * timer, the read of the other connection) and before the event loop polls
 * again, so nothing waits for I/O of other connections.
 */

/** A connection holding sends (or a corked socket) until the end of the turn. */
export interface BatchedSender {
  flushBatch(): void;
}

let enlisted: BatchedSender[] = [];
let scheduled = false;

function flushAll(): void {
  // Sends made while flushing (an onBufferDrain, a close) enlist into a fresh list.
  const batch = enlisted;
  enlisted = [];
  scheduled = false;
  for (const sender of batch) sender.flushBatch();
}

/** Uncorks `sender` at the end of this turn (once, however many times it sends). */
export function flushAtEndOfTurn(sender: BatchedSender): void {
  enlisted.push(sender);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(flushAll);
  }
}
