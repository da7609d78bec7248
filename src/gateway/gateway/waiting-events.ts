import { Command, type CommandCode } from '../wire/commands.js';
import type { ClientEntry } from './client-table.js';

/** A client's event for a business worker: connect, message, WebSocket handshake, close. */
export interface ClientEvent {
  entry: ClientEntry;
  cmd: CommandCode;
  kind: number;
  body: Buffer | string | null;
}

/** A client event that found no business worker connected, and since when. */
export interface WaitingEvent extends ClientEvent {
  since: number;
}

/**
 * Client events held while no business worker is connected (the cluster is
 * starting, or the only worker is being replaced), in arrival order. Bounded
 * by count and by age: past either, the clients concerned are closed, and
 * the caller logs why. The origin closes every such client at once; holding
 * them briefly lets a single business worker be reloaded without losing one.
 */
export class WaitingEvents {
  #events: WaitingEvent[] = [];

  get size(): number {
    return this.#events.length;
  }

  /**
   * `false` when `limit` events already wait: the caller closes the client.
   * A close is always taken (at most one per client), so the business
   * worker's `onClose` runs for every client it heard of.
   */
  push(event: WaitingEvent, limit: number): boolean {
    if (this.#events.length >= limit && event.cmd !== Command.ON_CLOSE) return false;
    this.#events.push(event);
    return true;
  }

  /** Every waiting event, oldest first, and the queue emptied. */
  takeAll(): WaitingEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  /** Removes and returns the events older than `maxAgeMs`. */
  takeExpired(now: number, maxAgeMs: number): WaitingEvent[] {
    let expired = 0;
    while (expired < this.#events.length && now - this.#events[expired]!.since > maxAgeMs)
      expired++;
    return expired === 0 ? [] : this.#events.splice(0, expired);
  }
}
