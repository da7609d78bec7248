// The pond's application, run by the business workers (the manual's
// Event.php). Each client's messages are checked (messages.ts) and
// rate-limited (rate-limit.ts) here, then broadcast to everyone else through
// the gateways. The business workers keep no pond state: positions live in
// the browsers, which is why the pond scales with the gateways.
import {
  type BusinessEventHandler,
  type BusinessWorker,
  type ClientContext,
  Gateway,
  Timer,
} from '../../src/index.js';
import { DEFAULT_BOUNDS, type PondBounds, parseClientMessage } from './messages.js';
import { TokenBucket } from './rate-limit.js';

export interface PondLimits {
  bounds: PondBounds;
  /** Position updates a client may have broadcast per second (and at once); the rest are dropped. */
  updatesPerSecond: number;
  /** Chat bubbles a client may have broadcast per second. */
  messagesPerSecond: number;
  /** Chat bubbles a client may send at once before `messagesPerSecond` applies. */
  messageBurst: number;
}

export const DEFAULT_LIMITS: Readonly<PondLimits> = Object.freeze({
  bounds: DEFAULT_BOUNDS,
  updatesPerSecond: 20,
  messagesPerSecond: 1,
  messageBurst: 3,
});

interface Budget {
  updates: TokenBucket;
  messages: TokenBucket;
  lastSeenMs: number;
}

/** A budget unused this long is forgotten (its client closed on another worker, or left during a reload). */
const FORGET_AFTER_MS = 60_000;

export function createTadpoleEvents(
  limits: PondLimits = DEFAULT_LIMITS,
): BusinessEventHandler<BusinessWorker> {
  // Per client, in this process: a client's events all come to one business
  // worker (the gateway's sticky routing), so a counter here sees all of
  // them. After a reload moves a client, it starts with a fresh budget on
  // its new worker: still bounded, never shared state to coordinate.
  const budgets = new Map<string, Budget>();
  let sweepTimer = 0;

  const budgetOf = (client: ClientContext, now: number): Budget => {
    let budget = budgets.get(client.id);
    if (budget === undefined) {
      budget = {
        updates: new TokenBucket(limits.updatesPerSecond, limits.updatesPerSecond, now),
        messages: new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now),
        lastSeenMs: now,
      };
      budgets.set(client.id, budget);
    }
    budget.lastSeenMs = now;
    return budget;
  };

  return {
    onWorkerStart() {
      sweepTimer = Timer.add(FORGET_AFTER_MS / 1000, () => {
        const before = Date.now() - FORGET_AFTER_MS;
        for (const [id, budget] of budgets) if (budget.lastSeenMs < before) budgets.delete(id);
      });
    },

    onConnect(client) {
      return client.send(JSON.stringify({ type: 'welcome', id: client.id }));
    },

    onMessage(client, frame) {
      const message = parseClientMessage(frame, limits.bounds);
      if (message === null) return;
      const now = Date.now();
      const budget = budgetOf(client, now);
      const others = [client.id];
      if (message.type === 'update') {
        if (!budget.updates.take(now)) return;
        // The session keeps the name for the close message; set only on a
        // change, so an ordinary update sends no session back to the gateway.
        if (client.session.name !== message.name) client.session.name = message.name;
        return Gateway.sendToAll(JSON.stringify({ ...message, id: client.id }), null, others);
      }
      if (!budget.messages.take(now)) return;
      return Gateway.sendToAll(
        JSON.stringify({ type: 'message', id: client.id, message: message.message }),
        null,
        others,
      );
    },

    onClose(client) {
      budgets.delete(client.id);
      return Gateway.sendToAll(
        JSON.stringify({ type: 'closed', id: client.id, name: client.session.name ?? null }),
      );
    },

    onWorkerStop() {
      Timer.del(sweepTimer);
    },
  };
}
