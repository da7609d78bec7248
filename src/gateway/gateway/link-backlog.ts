import { Command } from '../wire/commands.js';
import type { PeerLink } from './peer-link.js';
import type { ClientEvent } from './waiting-events.js';

/**
 * Client events routed to a business worker whose link is full
 * (`sendToWorkerBufferSize`): they wait in the link's backlog, in order, and
 * their clients are not read meanwhile, so a slow worker neither makes the
 * gateway grow nor loses or reorders an event. Once the link drains, the
 * backlog goes first; if the link leaves or closes, the backlog goes to
 * another worker. Then the clients are read again.
 */

/** Holds `event` for `link`; `false` when `limit` events already wait (the caller closes the client). */
export function holdForLink(link: PeerLink, event: ClientEvent, limit: number): boolean {
  const { entry, cmd } = event;
  if (link.backlog.length >= limit && cmd !== Command.ON_CLOSE) return false;
  link.backlog.push(event);
  if (cmd !== Command.ON_CLOSE) {
    entry.heldBy = link;
    entry.connection.pauseRecv();
  }
  return true;
}

/**
 * Sends the backlog through `send` while the link takes it. Returns `true`
 * when all of it went (its clients are then read again), `false` when the
 * link filled up again (the rest waits for the next drain).
 */
export function sendBacklog(link: PeerLink, send: (event: ClientEvent) => void): boolean {
  link.full = false;
  const events = link.backlog;
  link.backlog = [];
  for (let at = 0; at < events.length; at++) {
    if (link.full) {
      link.backlog = events.slice(at);
      return false;
    }
    send(events[at]!);
  }
  release(link, events);
  return true;
}

/** Takes the whole backlog of a link that leaves or closed, for `forward` to route elsewhere. */
export function rerouteBacklog(link: PeerLink, forward: (event: ClientEvent) => void): void {
  const events = link.backlog;
  link.backlog = [];
  link.full = false;
  for (const event of events) if (event.entry.heldBy === link) event.entry.heldBy = null;
  // Routed elsewhere, an event may be held again (by another full link).
  for (const event of events) forward(event);
  release(null, events);
}

/** Reads the clients of `events` again, unless another link holds them. */
function release(link: PeerLink | null, events: readonly ClientEvent[]): void {
  if (link !== null) {
    for (const event of events) if (event.entry.heldBy === link) event.entry.heldBy = null;
  }
  for (const { entry } of events) {
    // Still behind with its own worker: that worker's flow control reads it again.
    if (entry.heldBy === null && entry.worker?.paused !== true) entry.connection.resumeRecv();
  }
}
