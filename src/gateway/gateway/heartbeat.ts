import { Timer } from '../../timer/timer.js';
import type { ClientTable } from './client-table.js';

export interface ClientHeartbeat {
  /** Seconds between checks. */
  interval: number;
  /** Checks a client may stay silent through before it is closed; 0: never close. */
  limit: number;
  /** Sent to each client at every check; '' sends nothing (the clients ping on their own). */
  data: string;
}

/**
 * Every `interval` seconds: a client silent for `limit` checks in a row is
 * closed (its `onClose` then runs in a business worker); the others are
 * sent `data`. Anything a client sends counts as an answer. A silent client
 * thus goes after between `limit` and `limit + 1` intervals.
 */
export function startClientHeartbeat(table: ClientTable, heartbeat: ClientHeartbeat): number {
  return Timer.add(heartbeat.interval, () => {
    for (const entry of table.byNumber.values()) {
      if (heartbeat.limit > 0 && entry.pingsUnanswered >= heartbeat.limit) {
        // A peer that stopped answering is likely gone: no goodbye to wait for.
        entry.connection.destroy();
        continue;
      }
      if (heartbeat.data !== '') entry.connection.send(heartbeat.data);
      entry.pingsUnanswered++;
    }
  });
}
