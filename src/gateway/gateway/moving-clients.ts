import type { ClientEntry } from './client-table.js';
import type { PeerLink } from './peer-link.js';
import type { ClientEvent } from './waiting-events.js';

/**
 * Clients moving to another business worker (theirs is leaving, in a
 * reload) while it still handles their earlier events. Their new events
 * wait here, and the client is not read, until the old worker reported
 * every earlier event handled (or its link closed and handed them on):
 * one client's events are thus handled in order even across the switch.
 * Bounded: a paused client sends nothing more than what was already read.
 */
export class MovingClients {
  readonly #waiting = new Map<ClientEntry, { from: PeerLink; events: ClientEvent[] }>();

  /** Holds `event` when its client is moving (or starts to move away from `from`). */
  hold(event: ClientEvent, from: PeerLink | null): boolean {
    const moving = this.#waiting.get(event.entry);
    if (moving) {
      moving.events.push(event);
      return true;
    }
    if (from === null || from.connection === null || event.entry.unhandled === 0) return false;
    this.#waiting.set(event.entry, { from, events: [event] });
    event.entry.connection.pauseRecv();
    return true;
  }

  /**
   * `entry`'s earlier events are all handled: its waiting events go on,
   * oldest first, through `forward`; then the client is read again (not
   * before: reading may deliver its next events at once, which must follow).
   */
  release(entry: ClientEntry, forward: (event: ClientEvent) => void): void {
    const moving = this.#waiting.get(entry);
    if (moving === undefined || entry.unhandled > 0) return;
    this.#waiting.delete(entry);
    for (const event of moving.events) forward(event);
    entry.connection.resumeRecv();
  }

  /**
   * A link closed: the clients moving away from it are no longer held. Their
   * waiting events are returned, oldest first, for the caller to route after
   * what the link itself held, and then `resume` reads the clients again.
   */
  releaseFrom(link: PeerLink): { events: ClientEvent[]; resume(): void } {
    const events: ClientEvent[] = [];
    const entries: ClientEntry[] = [];
    for (const [entry, moving] of this.#waiting) {
      if (moving.from !== link) continue;
      this.#waiting.delete(entry);
      entries.push(entry);
      events.push(...moving.events);
    }
    const resume = () => {
      for (const entry of entries) entry.connection.resumeRecv();
    };
    return { events, resume };
  }
}
