import type { TcpConnection } from '../../connection/tcp-connection.js';
import type { RoutableLink } from './client-table.js';
import type { ClientEvent } from './waiting-events.js';

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
  /** When the last frame arrived (ms), for the link timeout. */
  lastSeen = Date.now();
  /** Client events for this business worker, written together at the end of the poll phase. */
  events: ClientEvent[] = [];
  /** Set once the link is known to this gateway's routing. */
  connection: TcpConnection<unknown, unknown> | null = null;

  get authenticated(): boolean {
    return this.role !== null;
  }
}
