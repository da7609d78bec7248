// The chat's messages, as the manual's packet-capture chapter traces them
// (`login`, `user_list`, `say` with `to_uid` "all" or one user, `logout`),
// with rooms. A user's `uid` is its client id. Every field a browser sends is
// checked here, before the business logic sees it.
//
// Browser -> server                       Server -> browser
//   {"type":"login","name","room"}          {"type":"user_list","room","self","user_list":[{"uid","name"}]}
//   {"type":"say","to_uid","content"}       {"type":"login","uid","name","room","time"}      (to the room)
//   {"type":"logout"}                       {"type":"say","from_uid","from_name","to_uid","to_name","content","time"}
//   {"type":"pong"}  (answers a ping)       {"type":"logout","uid","name","room","time"}     (to the room)
//                                           {"type":"error","about","message"}
//                                           {"type":"ping"}  (the gateway's heartbeat)

/** The most characters of a name and of a room. */
export const MAX_NAME_LENGTH = 32;
/** The most characters of one message's content. */
export const MAX_CONTENT_LENGTH = 2_000;
/** The most bytes of one raw message from a browser (a `say` at its limit fits many times over). */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export type Incoming =
  | { type: 'login'; name: string; room: string }
  | { type: 'say'; to_uid: string; content: string }
  | { type: 'logout' }
  | { type: 'pong' };

/** A message the server refuses, with what to tell its sender. */
export class Refused extends Error {
  constructor(
    readonly about: string,
    message: string,
  ) {
    super(message);
  }
}

/** Control characters (C0, DEL, C1) and the bidirectional overrides that could disguise a name. */
const HIDDEN = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/** Characters as a reader counts them (code points, so an emoji is one). */
function length(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function label(value: unknown, field: 'name' | 'room'): string {
  if (typeof value !== 'string') throw new Refused(field, `${field} must be text`);
  const text = value.trim();
  const size = length(text);
  if (size < 1 || size > MAX_NAME_LENGTH) {
    throw new Refused(field, `${field} must be 1 to ${MAX_NAME_LENGTH} characters, got ${size}`);
  }
  if (HIDDEN.test(text)) throw new Refused(field, `${field} must not contain control characters`);
  return text;
}

function content(value: unknown): string {
  if (typeof value !== 'string') throw new Refused('content', 'content must be text');
  const text = value.trim();
  if (text === '') throw new Refused('content', 'the message is empty');
  const size = length(text);
  if (size > MAX_CONTENT_LENGTH) {
    throw new Refused(
      'content',
      `the message is too long: ${size} characters, at most ${MAX_CONTENT_LENGTH}`,
    );
  }
  return text;
}

/** Parses and checks one message from a browser; throws `Refused` with the reason. */
export function parseIncoming(raw: string | Buffer): Incoming {
  if (typeof raw !== 'string') throw new Refused('message', 'messages are JSON text frames');
  if (Buffer.byteLength(raw) > MAX_MESSAGE_BYTES) {
    throw new Refused('message', `a message may have at most ${MAX_MESSAGE_BYTES} bytes`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new Refused('message', 'a message must be JSON');
  }
  if (typeof data !== 'object' || data === null) {
    throw new Refused('message', 'a message must be a JSON object');
  }
  const fields = data as Record<string, unknown>;
  switch (fields.type) {
    case 'login':
      return { type: 'login', name: label(fields.name, 'name'), room: label(fields.room, 'room') };
    case 'say': {
      const to = fields.to_uid ?? 'all';
      if (typeof to !== 'string' || to === '') {
        throw new Refused('to_uid', 'to_uid must be "all" or a user id');
      }
      return { type: 'say', to_uid: to, content: content(fields.content) };
    }
    case 'logout':
    case 'pong':
      return { type: fields.type };
    default:
      throw new Refused('type', `unknown message type "${String(fields.type).slice(0, 32)}"`);
  }
}

/** The server's messages, as JSON text. */
export function outgoing(type: string, fields: Record<string, unknown>): string {
  return JSON.stringify({ type, ...fields });
}
