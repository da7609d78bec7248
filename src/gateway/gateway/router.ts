import type { ClientEntry } from './client-table.js';
import type { PeerLink } from './peer-link.js';

/** What a routing function is told about the client whose events are to be placed. */
export interface RoutedClient {
  /** The client id, as business workers see it. */
  id: string;
  remoteIp: string;
  remotePort: number;
  uid: string | null;
}

/**
 * Picks the business worker for a client: `'sticky'` (default) binds each
 * client to one worker, the one with the fewest bound clients, so its
 * messages are handled in order; `'random'` picks per event (no order across
 * messages); a function is given the workers' keys (`ip:name:id`) and binds
 * the client to the one it returns (called again when that worker leaves).
 */
export type GatewayRouter =
  | 'sticky'
  | 'random'
  | ((workerKeys: readonly string[], client: RoutedClient) => string);

/** The link a client's next event goes to, or `null` while no business worker is connected. */
export function routeEvent(
  router: GatewayRouter,
  workers: ReadonlyMap<string, PeerLink>,
  entry: ClientEntry,
  describe: (entry: ClientEntry) => RoutedClient,
  reportRouterFailure: (error: unknown) => void,
): PeerLink | null {
  if (workers.size === 0) return null;
  const bound = entry.worker as PeerLink | null;
  if (router !== 'random' && bound !== null && !bound.leaving && workers.get(bound.key) === bound) {
    return bound;
  }
  let chosen: PeerLink | null = null;
  if (router === 'random') {
    const index = Math.floor(Math.random() * workers.size);
    let at = 0;
    for (const link of workers.values()) if (at++ === index) return link;
    return null;
  }
  if (typeof router === 'function') {
    try {
      chosen = workers.get(router([...workers.keys()], describe(entry))) ?? null;
    } catch (error) {
      reportRouterFailure(error);
    }
  }
  chosen ??= leastBound(workers);
  if (bound) bound.boundClients--;
  entry.worker = chosen;
  if (chosen) chosen.boundClients++;
  return chosen;
}

function leastBound(workers: ReadonlyMap<string, PeerLink>): PeerLink | null {
  let best: PeerLink | null = null;
  for (const link of workers.values()) {
    if (best === null || link.boundClients < best.boundClients) best = link;
  }
  return best;
}
