// The chat's logic, run by the business workers. Gateways hold the browsers'
// WebSockets; a room is a gateway group; a user's name and room live in the
// client's session (kept by its gateway, so any business worker, or one that
// replaced another in a reload, knows who is talking).
import {
  type BusinessEventHandler,
  type BusinessWorker,
  type ClientContext,
  ErrorCodes,
  Gateway,
  WorkermanError,
} from '../../src/index.js';
import { type Incoming, outgoing, parseIncoming, Refused } from './messages.js';

interface User {
  name: string;
  room: string;
}

/** Who the client is, once logged in; `null` before. */
function userOf(session: Record<string, unknown> | null | undefined): User | null {
  if (typeof session?.name !== 'string' || typeof session.room !== 'string') return null;
  return { name: session.name, room: session.room };
}

const now = () => new Date().toISOString();

async function login(client: ClientContext, name: string, room: string): Promise<void> {
  const before = userOf(client.session);
  if (before !== null) await leave(client, before);
  Object.assign(client.session, { name, room });
  // Also stored on the gateway at once, not only when this handler returns:
  // someone who answers the login notice with a private message right away
  // must find the newcomer in the room.
  await Gateway.updateSession(client.id, { name, room });
  await Gateway.joinGroup(client.id, room);
  const sessions = await Gateway.getClientSessionsByGroup(room);
  const users = Object.entries(sessions).flatMap(([uid, session]) => {
    const user = userOf(session);
    return user?.room === room ? [{ uid, name: user.name }] : [];
  });
  if (!users.some((user) => user.uid === client.id)) users.push({ uid: client.id, name });
  await client.send(outgoing('user_list', { room, self: client.id, user_list: users }));
  await Gateway.sendToGroup(room, outgoing('login', { uid: client.id, name, room, time: now() }));
}

/** Out of the room, and the room is told. */
async function leave(client: ClientContext, user: User): Promise<void> {
  await Gateway.leaveGroup(client.id, user.room);
  await announceLeaving(client.id, user);
}

function announceLeaving(uid: string, user: User): Promise<void> {
  return Gateway.sendToGroup(
    user.room,
    outgoing('logout', { uid, name: user.name, room: user.room, time: now() }),
  );
}

async function say(client: ClientContext, to: string, content: string): Promise<void> {
  const user = userOf(client.session);
  if (user === null) throw new Refused('login', 'log in before you say something');
  const said = { from_uid: client.id, from_name: user.name, content, time: now() };
  if (to === 'all') {
    await Gateway.sendToGroup(user.room, outgoing('say', { ...said, to_uid: 'all' }));
    return;
  }
  const addressee = userOf(await sessionOf(to));
  if (addressee?.room !== user.room) {
    throw new Refused('to_uid', 'that user is not in this room (any more)');
  }
  const message = outgoing('say', { ...said, to_uid: to, to_name: addressee.name });
  // Only the addressee, and the sender's own copy for its window.
  await Gateway.sendToClient(to, message);
  if (to !== client.id) await client.send(message);
}

async function sessionOf(clientId: string): Promise<Record<string, unknown> | null> {
  try {
    return await Gateway.getSession(clientId);
  } catch (error) {
    if (error instanceof WorkermanError && error.code === ErrorCodes.INVALID_CLIENT_ID) {
      throw new Refused('to_uid', 'to_uid must be "all" or the uid of a user in the room');
    }
    throw error;
  }
}

async function handle(client: ClientContext, message: Incoming): Promise<void> {
  switch (message.type) {
    case 'login':
      return login(client, message.name, message.room);
    case 'say':
      return say(client, message.to_uid, message.content);
    case 'logout': {
      const user = userOf(client.session);
      client.session = {};
      if (user !== null) await leave(client, user);
      return;
    }
    case 'pong': // The heartbeat's answer: that it arrived is all the gateway needs.
      return;
  }
}

export const chatEvents: BusinessEventHandler<BusinessWorker> = {
  async onMessage(client, raw) {
    try {
      await handle(client, parseIncoming(raw));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      await client.send(outgoing('error', { about: error.about, message: error.message }));
    }
  },

  // The gateway has already taken the client out of its groups.
  async onClose(client) {
    const user = userOf(client.session);
    if (user !== null) await announceLeaving(client.id, user);
  },
};
