import { log } from '../../log.js';
import { encodeFrame, encodeFrames } from '../wire/frames.js';
import type { ClientTable } from './client-table.js';
import { holdForLink, rerouteBacklog, sendBacklog } from './link-backlog.js';
import type { PeerLink } from './peer-link.js';
import type { ClientEvent } from './waiting-events.js';

/** The settings delivery reads, live from the `Gateway`. */
export interface DeliverySettings {
  readonly maxWaitingEvents: number;
  readonly sendToWorkerBufferSize: number;
}

/**
 * Client events on their way to business workers: gathered per link during
 * a poll and written once per link at its end, each numbered so the
 * worker can report it handled; held in order in the link's backlog while
 * the link is full; and the flow control that stops reading the clients of
 * a worker that is behind.
 */
export class WorkerDelivery {
  readonly #table: ClientTable;
  readonly #settings: DeliverySettings;
  readonly #forward: (event: ClientEvent) => void;
  readonly #linksWithEvents = new Set<PeerLink>();

  /** `forward` routes an event anew (for a backlog whose link leaves or closed). */
  constructor(
    table: ClientTable,
    settings: DeliverySettings,
    forward: (event: ClientEvent) => void,
  ) {
    this.#table = table;
    this.#settings = settings;
    this.#forward = forward;
  }

  /** Queues `event` for `link`'s next write; `false` when it went to the backlog instead. */
  queue(link: PeerLink, event: ClientEvent): boolean {
    if (link.full || link.backlog.length > 0) {
      this.#hold(link, event);
      return false;
    }
    link.events.push(event);
    this.#linksWithEvents.add(link);
    return true;
  }

  /**
   * Each business worker's events of this poll, in one write, each with its
   * sequence number. Events for a link that filled up meanwhile (or whose
   * send is refused) wait in its backlog instead: none is dropped.
   */
  flush(): void {
    for (const link of this.#linksWithEvents) {
      const events = link.events;
      link.events = [];
      if (link.full || link.backlog.length > 0 || link.connection === null) {
        for (const event of events) this.#hold(link, event);
        continue;
      }
      const sequences = events.map((event) => link.sent(event));
      if (link.connection.send(encodeFrames(events, sequences)) === false) {
        for (const sequence of sequences) link.handled(sequence);
        for (const event of events) this.#hold(link, event);
      }
      this.updateFlow(link);
    }
    this.#linksWithEvents.clear();
  }

  /** The link drained: its backlog goes first, in order, then its clients are read again. */
  drained(link: PeerLink): void {
    sendBacklog(link, (event) => this.#sendOne(link, event));
    this.updateFlow(link);
  }

  /** A link that leaves or closed: its backlog goes to other workers, its clients are read again. */
  reroute(link: PeerLink): void {
    this.#linksWithEvents.delete(link);
    rerouteBacklog(link, this.#forward);
    this.updateFlow(link);
  }

  /**
   * Clients bound to a worker are not read while its link's send buffer is
   * full, while events wait in its backlog, or while the events it has not
   * reported handled weigh more than `sendToWorkerBufferSize` (they are read
   * again below half of it); nor once the link is gone, until rerouted.
   */
  updateFlow(link: PeerLink): void {
    const limit = this.#settings.sendToWorkerBufferSize;
    const heavy = link.unhandledBytes > (link.paused ? limit / 2 : limit);
    const pause = link.connection !== null && (link.full || link.backlog.length > 0 || heavy);
    if (pause === link.paused) return;
    link.paused = pause;
    for (const entry of this.#table.byNumber.values()) {
      if (entry.worker !== link) continue;
      if (pause) entry.connection.pauseRecv();
      // A client holding an event in some backlog is read again when that event goes.
      else if (entry.heldBy === null) entry.connection.resumeRecv();
    }
  }

  /** One event on its own (a backlog being sent after a drain). */
  #sendOne(link: PeerLink, event: ClientEvent): void {
    const { entry, cmd, kind, body } = event;
    const sequence = link.sent(event);
    const frame = encodeFrame(cmd, kind, entry.number, sequence, entry.context, body);
    if (link.connection?.send(frame) === false) {
      link.handled(sequence);
      this.#hold(link, event);
    }
  }

  /** The link to the worker chosen for this event is full: the event waits in its backlog. */
  #hold(link: PeerLink, event: ClientEvent): void {
    if (holdForLink(link, event, this.#settings.maxWaitingEvents)) {
      this.updateFlow(link);
      return;
    }
    log(
      `gateway: the link to business worker ${link.key} is full and ${this.#settings.maxWaitingEvents} ` +
        `events already wait for it (maxWaitingEvents): closing ${event.entry.connection.describe()}`,
    );
    event.entry.connection.destroy();
  }
}
