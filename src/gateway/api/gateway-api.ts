import { ErrorCodes, WorkermanError } from '../../errors.js';
import { decodeClientId, encodeClientId } from '../wire/client-id.js';
import { Command, type CommandCode, FrameFlag } from '../wire/commands.js';
import { encodeFrame } from '../wire/frames.js';
import type { GatewayQuery } from '../wire/queries.js';
import type { GatewayLink } from './gateway-link.js';
import type { GatewayLinks } from './gateway-links.js';
import { type ClientMessage, messageBody } from './message-body.js';

/** A client's session: a plain object the gateway keeps for the connection's life. */
export type GatewaySession = Record<string, unknown>;

type Ids = string | readonly string[] | null | undefined;

function idList(ids: Ids): readonly string[] {
  if (ids == null) return [];
  return typeof ids === 'string' ? [ids] : ids;
}

/**
 * The Gateway API: `Gateway.<name>` inside business workers, the methods of
 * a `GatewayClient` anywhere else. Sends resolve once handed to the
 * gateways' links (a client whose gateway is gone is skipped, as the
 * origin does); queries ask every gateway concerned and merge the answers.
 */
export class GatewayApi {
  readonly #links: GatewayLinks;
  readonly #beforeUse: () => Promise<void>;

  /** `beforeUse` runs before each call: a GatewayClient waits there for its first links. */
  constructor(links: GatewayLinks, beforeUse: () => Promise<void> = () => Promise.resolve()) {
    this.#links = links;
    this.#beforeUse = beforeUse;
  }

  // Sending -------------------------------------------------------------------

  /** To every client, or only to `clientIds`; never to `excludeClientIds`. */
  async sendToAll(
    message: ClientMessage,
    clientIds?: readonly string[] | null,
    excludeClientIds?: Ids,
    raw = false,
  ): Promise<void> {
    await this.#beforeUse();
    const { kind, body } = messageBody(message);
    const flags = kind | (raw ? FrameFlag.RAW : 0);
    const exclude = this.#numbersByGateway(idList(excludeClientIds));
    if (clientIds != null) {
      for (const [link, only] of this.#numbersByGateway(clientIds)) {
        const skip = exclude.get(link);
        const ext = JSON.stringify(skip ? { only, exclude: skip } : { only });
        link.send(encodeFrame(Command.SEND_TO_ALL, flags, 0, 0, ext, body));
      }
      return;
    }
    // One frame for every gateway that has nothing to exclude.
    const plain = encodeFrame(Command.SEND_TO_ALL, flags, 0, 0, null, body);
    for (const link of this.#links.ready()) {
      const skip = exclude.get(link);
      link.send(
        skip
          ? encodeFrame(Command.SEND_TO_ALL, flags, 0, 0, JSON.stringify({ exclude: skip }), body)
          : plain,
      );
    }
  }

  async sendToClient(clientId: string, message: ClientMessage, raw = false): Promise<void> {
    await this.#toClient(Command.SEND_TO_CLIENT, clientId, message, raw);
  }

  /** Closes a client after sending it `message` (if given) and what was queued before. */
  async closeClient(clientId: string, message?: ClientMessage, raw = false): Promise<void> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    if (!target) return;
    const { kind, body } = message === undefined ? { kind: 0, body: null } : messageBody(message);
    target.link.send(
      encodeFrame(
        Command.CLOSE_CLIENT,
        kind | (raw ? FrameFlag.RAW : 0),
        target.client,
        0,
        null,
        body,
      ),
    );
  }

  /** Cuts a client at once, dropping what is queued for it. */
  async destroyClient(clientId: string): Promise<void> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    target?.link.send(
      encodeFrame(Command.CLOSE_CLIENT, FrameFlag.DESTROY, target.client, 0, null, null),
    );
  }

  async isOnline(clientId: string): Promise<boolean> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    if (!target) return false;
    return (await this.#askOne(target.link, { q: 'isOnline', client: target.client })) === true;
  }

  async getAllClientIdList(): Promise<string[]> {
    return this.#idsFromAll({ q: 'clientNumbers' });
  }

  async getAllClientCount(): Promise<number> {
    return this.#sumFromAll({ q: 'clientCount' });
  }

  /** The origin's other name for `getAllClientCount`. */
  getAllClientIdCount(): Promise<number> {
    return this.getAllClientCount();
  }

  async getAllClientSessions(): Promise<Record<string, GatewaySession | null>> {
    return this.#sessionsFromAll({ q: 'sessions' });
  }

  // Uids ----------------------------------------------------------------------

  /** One uid per client (binding another replaces it); many clients per uid. */
  async bindUid(clientId: string, uid: string | number): Promise<void> {
    await this.#clientCommand(Command.BIND_UID, clientId, String(uid));
  }

  /** Unbinds the client's uid (the `uid` argument is accepted for the origin's signature). */
  async unbindUid(clientId: string, _uid?: string | number): Promise<void> {
    await this.#clientCommand(Command.UNBIND_UID, clientId, null);
  }

  async isUidOnline(uid: string | number): Promise<boolean> {
    return (await this.getClientIdByUid(uid)).length > 0;
  }

  async getClientIdByUid(uid: string | number): Promise<string[]> {
    return this.#idsFromAll({ q: 'clientsOfUid', uid: String(uid) });
  }

  async getUidByClientId(clientId: string): Promise<string | null> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    if (!target) return null;
    return (
      ((await this.#askOne(target.link, { q: 'uidOf', client: target.client })) as string | null) ??
      null
    );
  }

  async sendToUid(
    uid: string | number | readonly (string | number)[],
    message: ClientMessage,
    raw = false,
  ): Promise<void> {
    await this.#beforeUse();
    const uids = (Array.isArray(uid) ? uid : [uid]).map(String);
    const { kind, body } = messageBody(message);
    const frame = encodeFrame(
      Command.SEND_TO_UID,
      kind | (raw ? FrameFlag.RAW : 0),
      0,
      0,
      JSON.stringify(uids),
      body,
    );
    for (const link of this.#links.ready()) link.send(frame);
  }

  async getAllUidList(): Promise<string[]> {
    return [...new Set((await this.#askAll({ q: 'uids' })).flat() as string[])];
  }

  async getAllUidCount(): Promise<number> {
    return (await this.getAllUidList()).length;
  }

  // Groups --------------------------------------------------------------------

  async joinGroup(clientId: string, group: string | number): Promise<void> {
    await this.#clientCommand(Command.JOIN_GROUP, clientId, String(group));
  }

  async leaveGroup(clientId: string, group: string | number): Promise<void> {
    await this.#clientCommand(Command.LEAVE_GROUP, clientId, String(group));
  }

  /** Dissolves a group on every gateway (its members stay connected). */
  async ungroup(group: string | number): Promise<void> {
    await this.#beforeUse();
    const frame = encodeFrame(Command.UNGROUP, 0, 0, 0, String(group), null);
    for (const link of this.#links.ready()) link.send(frame);
  }

  async sendToGroup(
    group: string | number | readonly (string | number)[],
    message: ClientMessage,
    excludeClientIds?: Ids,
    raw = false,
  ): Promise<void> {
    await this.#beforeUse();
    const groups = (Array.isArray(group) ? group : [group]).map(String);
    const { kind, body } = messageBody(message);
    const flags = kind | (raw ? FrameFlag.RAW : 0);
    const exclude = this.#numbersByGateway(idList(excludeClientIds));
    const plain = encodeFrame(Command.SEND_TO_GROUP, flags, 0, 0, JSON.stringify({ groups }), body);
    for (const link of this.#links.ready()) {
      const skip = exclude.get(link);
      link.send(
        skip
          ? encodeFrame(
              Command.SEND_TO_GROUP,
              flags,
              0,
              0,
              JSON.stringify({ groups, exclude: skip }),
              body,
            )
          : plain,
      );
    }
  }

  async getClientIdListByGroup(group: string | number): Promise<string[]> {
    return this.#idsFromAll({ q: 'groupClients', group: String(group) });
  }

  async getClientCountByGroup(group: string | number): Promise<number> {
    return this.#sumFromAll({ q: 'groupClientCount', group: String(group) });
  }

  async getClientSessionsByGroup(
    group: string | number,
  ): Promise<Record<string, GatewaySession | null>> {
    return this.#sessionsFromAll({ q: 'groupSessions', group: String(group) });
  }

  async getUidListByGroup(group: string | number): Promise<string[]> {
    return [
      ...new Set((await this.#askAll({ q: 'groupUids', group: String(group) })).flat() as string[]),
    ];
  }

  async getUidCountByGroup(group: string | number): Promise<number> {
    return (await this.getUidListByGroup(group)).length;
  }

  async getAllGroupIdList(): Promise<string[]> {
    return [...new Set((await this.#askAll({ q: 'groupIds' })).flat() as string[])];
  }

  /** Every group and the uids in it. */
  async getAllGroupUidList(): Promise<Record<string, string[]>> {
    const merged: Record<string, Set<string>> = {};
    for (const lists of (await this.#askAll({ q: 'groupUidLists' })) as Record<
      string,
      string[]
    >[]) {
      for (const [group, uids] of Object.entries(lists)) {
        merged[group] ??= new Set();
        for (const uid of uids) merged[group].add(uid);
      }
    }
    return Object.fromEntries(Object.entries(merged).map(([group, uids]) => [group, [...uids]]));
  }

  // Sessions ------------------------------------------------------------------

  async getSession(clientId: string): Promise<GatewaySession | null> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    if (!target) return null;
    return (
      ((await this.#askOne(target.link, {
        q: 'session',
        client: target.client,
      })) as GatewaySession | null) ?? null
    );
  }

  /** Replaces the client's session. */
  async setSession(clientId: string, session: GatewaySession): Promise<void> {
    await this.#clientCommand(Command.SET_SESSION, clientId, JSON.stringify(session));
  }

  /** Merges `session` into the client's (nested objects field by field). */
  async updateSession(clientId: string, session: GatewaySession): Promise<void> {
    await this.#clientCommand(Command.UPDATE_SESSION, clientId, JSON.stringify(session));
  }

  // Plumbing ------------------------------------------------------------------

  #target(clientId: string): { link: GatewayLink; client: number } | null {
    const { gateway, client } = decodeClientId(clientId);
    const link = this.#links.get(gateway);
    return link ? { link, client } : null;
  }

  /** Client numbers per gateway link; ids of gateways not linked are dropped. */
  #numbersByGateway(ids: readonly string[]): Map<GatewayLink, number[]> {
    const byLink = new Map<GatewayLink, number[]>();
    for (const id of ids) {
      const target = this.#target(id);
      if (!target) continue;
      let numbers = byLink.get(target.link);
      if (!numbers) {
        numbers = [];
        byLink.set(target.link, numbers);
      }
      numbers.push(target.client);
    }
    return byLink;
  }

  async #toClient(
    cmd: CommandCode,
    clientId: string,
    message: ClientMessage,
    raw: boolean,
  ): Promise<void> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    if (!target) return;
    const { kind, body } = messageBody(message);
    target.link.send(
      encodeFrame(cmd, kind | (raw ? FrameFlag.RAW : 0), target.client, 0, null, body),
    );
  }

  async #clientCommand(cmd: CommandCode, clientId: string, ext: string | null): Promise<void> {
    await this.#beforeUse();
    const target = this.#target(clientId);
    target?.link.send(encodeFrame(cmd, 0, target.client, 0, ext, null));
  }

  async #askOne(link: GatewayLink, query: GatewayQuery): Promise<unknown> {
    try {
      return await link.query(query);
    } catch (error) {
      if (error instanceof WorkermanError && error.code === ErrorCodes.GATEWAY_UNREACHABLE)
        return null;
      throw error;
    }
  }

  /** Every linked gateway's answer; a gateway that goes away meanwhile is skipped. */
  async #askAll(query: GatewayQuery): Promise<unknown[]> {
    await this.#beforeUse();
    const answers = await Promise.all(
      this.#links.ready().map(async (link) => ({ link, answer: await this.#askOne(link, query) })),
    );
    return answers.filter(({ answer }) => answer != null).map(({ answer }) => answer);
  }

  async #idsFromAll(query: GatewayQuery): Promise<string[]> {
    await this.#beforeUse();
    const ids: string[] = [];
    await Promise.all(
      this.#links.ready().map(async (link) => {
        const numbers = (await this.#askOne(link, query)) as number[] | null;
        for (const number of numbers ?? []) ids.push(encodeClientId(link.idPrefix, number));
      }),
    );
    return ids;
  }

  async #sumFromAll(query: GatewayQuery): Promise<number> {
    let sum = 0;
    for (const count of await this.#askAll(query)) sum += count as number;
    return sum;
  }

  async #sessionsFromAll(query: GatewayQuery): Promise<Record<string, GatewaySession | null>> {
    await this.#beforeUse();
    const sessions: Record<string, GatewaySession | null> = {};
    await Promise.all(
      this.#links.ready().map(async (link) => {
        const share = (await this.#askOne(link, query)) as Record<
          string,
          GatewaySession | null
        > | null;
        for (const [number, session] of Object.entries(share ?? {})) {
          sessions[encodeClientId(link.idPrefix, Number(number))] = session;
        }
      }),
    );
    return sessions;
  }
}
