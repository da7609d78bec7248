/** The settings pacing reads, live from the `Gateway`. */
export interface PacingSettings {
  readonly writeBatchRatio: number;
  readonly maxWriteBatchDelay: number;
  readonly maxWriteBatchBytes: number;
}

/**
 * A timer fires 1 ms after it is set at the soonest: a shorter wait would
 * last that long (a reply to one client, a few microseconds of work, would
 * wait twenty times as long), so it is not waited.
 */
const SHORTEST_WAIT = 1;

/**
 * When a gateway carries out the commands business workers send (a
 * broadcast, a send to a group, a reply to one client...).
 *
 * Most of what a delivery costs is the system call that writes to the
 * client (on loopback, the kernel's receiving side too), whatever the
 * message's size; a client that gets several messages in one write costs
 * little more than one that gets a single message. So after each round of
 * commands, the next round waits until `writeBatchRatio` times the round's
 * length (its client writes included) has passed, at most
 * `maxWriteBatchDelay` ms, and what arrives meanwhile is carried out
 * together: each client gets this round's messages in one write.
 *
 * The wait follows the work: a round that wrote to thousands of clients
 * took milliseconds and the next waits as long, while a reply to one client
 * took microseconds and adds nothing (a wait under 1 ms is not waited). A
 * busy gateway thus spends about as long gathering as writing, and under a
 * heavy fan-out writes each client several messages at once instead of one
 * each. Commands gathered past `maxWriteBatchBytes` are carried out at once.
 */
export class CommandPacing {
  readonly #settings: PacingSettings;
  /** When (performance.now() ms) the next round may run. */
  #readyAt = 0;
  /** Bytes of the commands gathered for the next round. */
  #gatheredBytes = 0;

  constructor(settings: PacingSettings) {
    this.#settings = settings;
  }

  /** A command of `bytes` arrived for the next round. */
  gathered(bytes: number): void {
    this.#gatheredBytes += bytes;
  }

  /** Milliseconds the gathered commands may still wait at `now`; 0: carry them out now. */
  waitAt(now: number): number {
    if (this.#gatheredBytes >= this.#settings.maxWriteBatchBytes) return 0;
    const wait = this.#readyAt - now;
    return wait >= SHORTEST_WAIT ? wait : 0;
  }

  /** A round took the gathered commands; they count no more. */
  taken(): void {
    this.#gatheredBytes = 0;
  }

  /** A round ran from `start` to `end` (performance.now() ms): the next waits in proportion. */
  ran(start: number, end: number): void {
    const { writeBatchRatio, maxWriteBatchDelay } = this.#settings;
    this.#readyAt = end + Math.min(maxWriteBatchDelay, writeBatchRatio * (end - start));
  }
}
