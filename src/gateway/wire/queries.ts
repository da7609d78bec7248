/**
 * The questions a peer may ask a gateway (a QUERY frame's JSON), and their
 * answers from this process's clients. Each gateway answers with its own
 * share; the asking side merges the shares (api/gateway-api.ts).
 * Clients are named by their number here; the asker turns numbers into ids.
 */
export type GatewayQuery =
  | { q: 'isOnline'; client: number }
  | { q: 'clientNumbers' }
  | { q: 'clientCount' }
  | { q: 'sessions' }
  | { q: 'session'; client: number }
  | { q: 'uidOf'; client: number }
  | { q: 'clientsOfUid'; uid: string }
  | { q: 'uids' }
  | { q: 'groupClients'; group: string }
  | { q: 'groupClientCount'; group: string }
  | { q: 'groupSessions'; group: string }
  | { q: 'groupUids'; group: string }
  | { q: 'groupIds' }
  | { q: 'groupUidLists' };
