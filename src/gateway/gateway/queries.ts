import type { GatewayQuery } from '../wire/queries.js';
import type { ClientEntry, ClientTable } from './client-table.js';

/** This gateway's share of an answer; the asking side merges the shares of every gateway. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sessionOf(entry: ClientEntry): Json {
  return entry.sessionJson === '' ? null : (JSON.parse(entry.sessionJson) as Json);
}

function uidsOf(clients: Iterable<ClientEntry>): string[] {
  const uids = new Set<string>();
  for (const entry of clients) if (entry.uid !== null) uids.add(entry.uid);
  return [...uids];
}

/** This gateway's answer; `undefined` for a question it does not know. */
export function answerQuery(table: ClientTable, query: GatewayQuery): Json | undefined {
  switch (query.q) {
    case 'isOnline':
      return table.byNumber.has(query.client);
    case 'clientNumbers':
      return [...table.byNumber.keys()];
    case 'clientCount':
      return table.size;
    case 'sessions': {
      const sessions: Record<string, Json> = {};
      for (const entry of table.byNumber.values()) sessions[entry.number] = sessionOf(entry);
      return sessions;
    }
    case 'session': {
      const entry = table.byNumber.get(query.client);
      return entry ? sessionOf(entry) : null;
    }
    case 'uidOf':
      return table.byNumber.get(query.client)?.uid ?? null;
    case 'clientsOfUid':
      return [...(table.byUid.get(String(query.uid)) ?? [])].map((entry) => entry.number);
    case 'uids':
      return [...table.byUid.keys()];
    case 'groupClients':
      return [...(table.byGroup.get(String(query.group)) ?? [])].map((entry) => entry.number);
    case 'groupClientCount':
      return table.byGroup.get(String(query.group))?.size ?? 0;
    case 'groupSessions': {
      const sessions: Record<string, Json> = {};
      for (const entry of table.byGroup.get(String(query.group)) ?? []) {
        sessions[entry.number] = sessionOf(entry);
      }
      return sessions;
    }
    case 'groupUids':
      return uidsOf(table.byGroup.get(String(query.group)) ?? []);
    case 'groupIds':
      return [...table.byGroup.keys()];
    case 'groupUidLists': {
      const lists: Record<string, Json> = {};
      for (const [group, clients] of table.byGroup) lists[group] = uidsOf(clients);
      return lists;
    }
    default:
      return undefined;
  }
}
