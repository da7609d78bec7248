import { PreparedMessage } from '../../connection/prepared-message.js';
import { log } from '../../log.js';
import { BODY_KIND_MASK, BodyKind, Command, FrameFlag } from '../wire/commands.js';
import { encodeFrame, type GatewayFrame } from '../wire/frames.js';
import type { GatewayQuery } from '../wire/queries.js';
import type { ClientEntry, ClientTable } from './client-table.js';
import type { PeerLink } from './peer-link.js';
import { answerQuery } from './queries.js';
import { mergeSession } from './session-merge.js';

/**
 * Carries out what an authenticated peer (business worker or GatewayClient)
 * asks of this gateway's clients. A command naming a client that is gone
 * does nothing: the client left while the command was on its way.
 */
export class PeerCommands {
  readonly #table: ClientTable;
  readonly #maxSessionSize: () => number;

  constructor(table: ClientTable, maxSessionSize: () => number) {
    this.#table = table;
    this.#maxSessionSize = maxSessionSize;
  }

  /** `false` for a command this gateway does not know (the link is then cut). */
  execute(link: PeerLink, frame: GatewayFrame): boolean {
    const table = this.#table;
    const entry = frame.client === 0 ? undefined : table.byNumber.get(frame.client);
    switch (frame.cmd) {
      case Command.SEND_TO_CLIENT:
        if (entry) sendTo(entry, messageOf(frame), frame.flags);
        return true;
      case Command.SEND_TO_ALL:
        this.#sendToAll(frame);
        return true;
      case Command.SEND_TO_UID: {
        const uids = jsonOf(frame) as unknown[];
        const targets: ClientEntry[] = [];
        for (const uid of uids)
          for (const client of table.byUid.get(String(uid)) ?? []) targets.push(client);
        sendToMany(targets, messageOf(frame), frame.flags);
        return true;
      }
      case Command.SEND_TO_GROUP: {
        const { groups, exclude } = jsonOf(frame) as { groups: unknown[]; exclude?: number[] };
        const skip = new Set(exclude ?? []);
        const targets = new Set<ClientEntry>();
        for (const group of groups) {
          for (const client of table.byGroup.get(String(group)) ?? []) {
            if (!skip.has(client.number)) targets.add(client);
          }
        }
        sendToMany(targets, messageOf(frame), frame.flags);
        return true;
      }
      case Command.CLOSE_CLIENT:
        if (!entry) return true;
        if (frame.flags & FrameFlag.DESTROY) entry.connection.destroy();
        else if (frame.body.length > 0) {
          entry.connection.close(messageOf(frame), (frame.flags & FrameFlag.RAW) !== 0);
        } else entry.connection.close();
        return true;
      case Command.BIND_UID:
        if (entry) table.bindUid(entry, frame.ext.toString());
        return true;
      case Command.UNBIND_UID:
        if (entry) table.unbindUid(entry);
        return true;
      case Command.JOIN_GROUP:
        if (entry) table.joinGroup(entry, frame.ext.toString());
        return true;
      case Command.LEAVE_GROUP:
        if (entry) table.leaveGroup(entry, frame.ext.toString());
        return true;
      case Command.UNGROUP:
        table.ungroup(frame.ext.toString());
        return true;
      case Command.SET_SESSION:
      case Command.UPDATE_SESSION:
        if (entry) this.#setSession(link, entry, frame);
        return true;
      case Command.QUERY: {
        const answer = answerQuery(table, jsonOf(frame) as GatewayQuery);
        const body = answer === undefined ? '' : JSON.stringify(answer);
        link.connection?.send(
          encodeFrame(Command.REPLY, BodyKind.JSON, 0, frame.request, null, body),
        );
        return true;
      }
      default:
        return false;
    }
  }

  #sendToAll(frame: GatewayFrame): void {
    const message = messageOf(frame);
    if (frame.ext.length === 0) {
      sendToMany(this.#table.byNumber.values(), message, frame.flags);
      return;
    }
    const { only, exclude } = jsonOf(frame) as { only?: number[]; exclude?: number[] };
    const skip = new Set(exclude ?? []);
    const targets: ClientEntry[] = [];
    if (only) {
      for (const number of only) {
        const client = this.#table.byNumber.get(number);
        if (client && !skip.has(number)) targets.push(client);
      }
    } else {
      for (const client of this.#table.byNumber.values()) {
        if (!skip.has(client.number)) targets.push(client);
      }
    }
    sendToMany(targets, message, frame.flags);
  }

  #setSession(link: PeerLink, entry: ClientEntry, frame: GatewayFrame): void {
    const given = jsonOf(frame);
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      log(`gateway: ${link.key || 'peer'} sent a session that is not an object; ignored`);
      return;
    }
    const next =
      frame.cmd === Command.UPDATE_SESSION && entry.sessionJson !== ''
        ? mergeSession(
            JSON.parse(entry.sessionJson) as Record<string, unknown>,
            given as Record<string, unknown>,
          )
        : given;
    const json = JSON.stringify(next);
    const limit = this.#maxSessionSize();
    if (Buffer.byteLength(json) > limit) {
      log(
        `gateway: session of client #${entry.number} refused: ${Buffer.byteLength(json)} bytes ` +
          `over maxSessionSize (${limit})`,
      );
      return;
    }
    entry.setSession(json);
  }
}

function jsonOf(frame: GatewayFrame): unknown {
  return JSON.parse(frame.ext.toString());
}

/** The message a SEND_* frame carries, as the client's codec is to be given it. */
function messageOf(frame: GatewayFrame): unknown {
  switch (frame.flags & BODY_KIND_MASK) {
    case BodyKind.TEXT:
      return frame.body.toString();
    case BodyKind.JSON:
      return JSON.parse(frame.body.toString());
    default:
      return frame.body;
  }
}

function sendTo(entry: ClientEntry, message: unknown, flags: number): void {
  entry.connection.send(message, (flags & FrameFlag.RAW) !== 0);
}

/** One message to many clients, encoded once per distinct codec setting. */
function sendToMany(targets: Iterable<ClientEntry>, message: unknown, flags: number): void {
  if (flags & FrameFlag.RAW) {
    for (const entry of targets) entry.connection.send(message, true);
    return;
  }
  const prepared = new PreparedMessage(message);
  for (const entry of targets) entry.connection.sendPrepared(prepared);
}
