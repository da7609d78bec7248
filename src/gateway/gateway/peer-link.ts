import type { TcpConnection } from '../../connection/tcp-connection.js';
import type { RoutableLink } from './client-table.js';
import type { ClientEvent } from './waiting-events.js';

const MAX_SEQUENCE = 0xffffffff;

/** Who is at the other end of an internal link, once it proved the key. */
export type PeerRole = 'worker' | 'client';

/**
 * A gateway's view of one internal link (a business worker or a
 * GatewayClient), kept as the link's connection context.
 */
export class PeerLink implements RoutableLink {
  /** The challenge this link must answer; '' once answered. */
  challenge = '';
  role: PeerRole | null = null;
  /** `ip:name:id` of a business worker, as routers see it. */
  key = '';
  boundClients = 0;
  /** A business worker said it stops: no new client event goes to it. */
  leaving = false;
  /** The send buffer reached `sendToWorkerBufferSize`; cleared when it drains. */
  full = false;
  /** Events routed here while `full`, sent in order once it drains. */
  backlog: ClientEvent[] = [];
  /** The clients bound to this link are not read (see `GatewayProcess`'s flow control). */
  paused = false;
  /** When the last frame arrived (ms), for the link timeout. */
  lastSeen = Date.now();
  /** Client events for this business worker, written together at the end of the poll phase. */
  events: ClientEvent[] = [];
  /** Set once the link is known to this gateway's routing; `null` again once it closed. */
  connection: TcpConnection<unknown, unknown> | null = null;
  /** Bytes of the events in `#unhandled`. */
  unhandledBytes = 0;
  /**
   * Events sent to this business worker that it has not reported handled,
   * by their sequence number, in the order sent: when the link dies they go
   * to another worker instead of being lost with it.
   */
  readonly #unhandled = new Map<number, { event: ClientEvent; bytes: number }>();
  #sequence = 0;

  get authenticated(): boolean {
    return this.role !== null;
  }

  /** Keeps an event being sent to this worker until it is handled; its sequence number goes with it. */
  sent(event: ClientEvent): number {
    do {
      this.#sequence = this.#sequence >= MAX_SEQUENCE ? 1 : this.#sequence + 1;
    } while (this.#unhandled.has(this.#sequence));
    // Weighed once: the client's context is rebuilt when its session changes.
    const bytes = (event.body?.length ?? 0) + event.entry.context.length;
    this.#unhandled.set(this.#sequence, { event, bytes });
    this.unhandledBytes += bytes;
    event.entry.unhandled++;
    return this.#sequence;
  }

  /** The worker handled event `sequence` (or it was never sent): forget it, and say which it was. */
  handled(sequence: number): ClientEvent | undefined {
    const held = this.#unhandled.get(sequence);
    if (held === undefined) return undefined;
    this.#unhandled.delete(sequence);
    this.unhandledBytes -= held.bytes;
    held.event.entry.unhandled--;
    return held.event;
  }

  /** The events not handled, oldest first; the link keeps none. */
  takeUnhandled(): ClientEvent[] {
    const events = [...this.#unhandled.values()].map((held) => held.event);
    for (const event of events) event.entry.unhandled--;
    this.#unhandled.clear();
    this.unhandledBytes = 0;
    return events;
  }
}
