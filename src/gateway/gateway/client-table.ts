import type { TcpConnection } from '../../connection/tcp-connection.js';
import { encodeClientContext } from '../wire/client-context.js';

/** A business worker's or GatewayClient's link, as the gateway's routing sees it. */
export interface RoutableLink {
  readonly key: string;
  /** Clients sticky-bound to this link. */
  boundClients: number;
  /** Its clients are not read for now (the worker is behind). */
  readonly paused: boolean;
}

/** What a gateway keeps for each of its clients. */
export class ClientEntry {
  /** The client's number in this gateway process (the last 8 hex of its id). */
  readonly number: number;
  readonly connection: TcpConnection<unknown, unknown>;
  uid: string | null = null;
  /** The groups it joined; null for none (most clients: a Set costs about 150 bytes). */
  groups: Set<string> | null = null;
  /** The session as JSON text ('' for none) and how many times it changed. */
  sessionJson = '';
  sessionVersion = 0;
  /** Pings sent since the client last sent anything. */
  pingsUnanswered = 0;
  /** Events sent to a business worker that it has not reported handled yet. */
  unhandled = 0;
  /** The business worker this client's events go to (sticky routing). */
  worker: RoutableLink | null = null;
  /** The worker link whose backlog holds this client's events (it is not read meanwhile). */
  heldBy: RoutableLink | null = null;
  #context: Buffer | null = null;

  constructor(number: number, connection: TcpConnection<unknown, unknown>) {
    this.number = number;
    this.connection = connection;
  }

  /** The bytes sent with each event: address and session, rebuilt only when the session changed. */
  get context(): Buffer {
    this.#context ??= encodeClientContext(
      this.connection.getRemoteIp(),
      this.connection.getRemotePort(),
      this.sessionVersion,
      this.sessionJson,
    );
    return this.#context;
  }

  setSession(json: string): void {
    this.sessionJson = json;
    this.sessionVersion = (this.sessionVersion + 1) >>> 0;
    this.#context = null;
  }
}

const MAX_CLIENT_NUMBER = 0xffffffff;

/**
 * A gateway process's clients, and the uid and group indexes over them.
 * Numbers count up from 1 and wrap at 2^32, skipping those in use, so an id
 * is not reused while its client is connected.
 */
export class ClientTable {
  readonly byNumber = new Map<number, ClientEntry>();
  readonly byUid = new Map<string, Set<ClientEntry>>();
  readonly byGroup = new Map<string, Set<ClientEntry>>();
  #last: number;

  /** `lastNumber`: where counting resumes (the number after it comes first). */
  constructor(lastNumber = 0) {
    this.#last = lastNumber;
  }

  add(connection: TcpConnection<unknown, unknown>): ClientEntry {
    do {
      this.#last = this.#last >= MAX_CLIENT_NUMBER ? 1 : this.#last + 1;
    } while (this.byNumber.has(this.#last));
    const entry = new ClientEntry(this.#last, connection);
    this.byNumber.set(entry.number, entry);
    return entry;
  }

  remove(entry: ClientEntry): void {
    this.byNumber.delete(entry.number);
    this.unbindUid(entry);
    if (entry.groups !== null) for (const group of entry.groups) this.#leave(entry, group);
    entry.groups = null;
    if (entry.worker) entry.worker.boundClients--;
    entry.worker = null;
  }

  get size(): number {
    return this.byNumber.size;
  }

  /** One uid per client; binding another replaces it. */
  bindUid(entry: ClientEntry, uid: string): void {
    if (entry.uid === uid) return;
    this.unbindUid(entry);
    entry.uid = uid;
    let clients = this.byUid.get(uid);
    if (!clients) {
      clients = new Set();
      this.byUid.set(uid, clients);
    }
    clients.add(entry);
  }

  unbindUid(entry: ClientEntry): void {
    const uid = entry.uid;
    if (uid === null) return;
    entry.uid = null;
    const clients = this.byUid.get(uid);
    clients?.delete(entry);
    if (clients?.size === 0) this.byUid.delete(uid);
  }

  joinGroup(entry: ClientEntry, group: string): void {
    entry.groups ??= new Set();
    entry.groups.add(group);
    let clients = this.byGroup.get(group);
    if (!clients) {
      clients = new Set();
      this.byGroup.set(group, clients);
    }
    clients.add(entry);
  }

  leaveGroup(entry: ClientEntry, group: string): void {
    if (entry.groups?.delete(group)) {
      if (entry.groups.size === 0) entry.groups = null;
      this.#leave(entry, group);
    }
  }

  /** Dissolves a group: every member leaves it. */
  ungroup(group: string): void {
    const clients = this.byGroup.get(group);
    if (!clients) return;
    for (const entry of clients) {
      entry.groups?.delete(group);
      if (entry.groups?.size === 0) entry.groups = null;
    }
    this.byGroup.delete(group);
  }

  #leave(entry: ClientEntry, group: string): void {
    const clients = this.byGroup.get(group);
    clients?.delete(entry);
    if (clients?.size === 0) this.byGroup.delete(group);
  }
}
