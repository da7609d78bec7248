/**
 * Coarse deadlines for connection timeouts (an HTTP head that never ends, a
 * WebSocket handshake left half done), without a timer per connection.
 *
 * Each codec keeps its entries in a `DeadlineSweeper`; one shared interval
 * runs while any sweeper holds an entry, refreshes `clock` and expires the
 * entries whose deadline has passed. A deadline is then late by at most one
 * sweep, so a slow peer is cut within its timeout plus `SWEEP_MS`
 * (nginx-like), not Node's 30 s socket-timeout granularity, and setting a
 * deadline costs one addition: no timer is armed or cleared per request.
 */

/** Read on every request, refreshed by the sweeps (and when the first sweeper starts). */
export const clock = { now: Date.now() };

const SWEEP_MS = 500;

/** An entry's deadline: clock time in ms after which it expires; 0 for none. */
export interface HasDeadline {
  deadline: number;
}

/** The entries of one kind (one codec's connection states) and what to do when one expires. */
export class DeadlineSweeper<Entry extends HasDeadline> {
  readonly #entries = new Set<Entry>();
  readonly #expire: (entry: Entry) => void;

  /** `expire` is called once per passed deadline, with the entry's deadline already reset to 0. */
  constructor(expire: (entry: Entry) => void) {
    this.#expire = expire;
  }

  /** Entries watched. */
  get size(): number {
    return this.#entries.size;
  }

  /** Watches `entry`; its `deadline` may be set and changed at any time. */
  add(entry: Entry): void {
    this.#entries.add(entry);
    if (this.#entries.size === 1) activate(this);
  }

  delete(entry: Entry): void {
    if (this.#entries.delete(entry) && this.#entries.size === 0) {
      deactivate(this);
    }
  }

  /** Expires every entry whose deadline is at or before `now`. */
  sweep(now: number): void {
    // An expiry may close a connection and delete its entry: a Set's
    // iteration is safe under deletion.
    for (const entry of this.#entries) {
      if (entry.deadline !== 0 && now >= entry.deadline) {
        entry.deadline = 0;
        this.#expire(entry);
      }
    }
  }
}

/** What the shared interval needs of a sweeper. */
interface Sweepable {
  sweep(now: number): void;
}

const active = new Set<Sweepable>();
let interval: NodeJS.Timeout | null = null;

function activate(sweeper: Sweepable): void {
  active.add(sweeper);
  if (interval !== null) return;
  clock.now = Date.now();
  interval = setInterval(sweepAll, SWEEP_MS);
  // Deadlines never keep a process alive on their own.
  interval.unref();
}

function deactivate(sweeper: Sweepable): void {
  active.delete(sweeper);
  if (active.size > 0 || interval === null) return;
  clearInterval(interval);
  interval = null;
}

function sweepAll(): void {
  const now = Date.now();
  clock.now = now;
  for (const sweeper of active) sweeper.sweep(now);
}
