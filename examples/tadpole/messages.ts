// What a tadpole client may send, checked once at the edge. Every message is
// one JSON text frame:
//
//   client -> server   {"type":"update","x":12.5,"y":-3,"angle":1.2,"momentum":0.8,"name":"ann"}
//                      {"type":"message","message":"hello pond"}
//   server -> client   {"type":"welcome","id":"<client id>"}            to the newcomer only
//                      {"type":"update","id":"<client id>",x,y,angle,momentum,name}
//                      {"type":"message","id":"<client id>","message":"..."}
//                      {"type":"closed","id":"<client id>"}
//
// Anything else (bad JSON, an unknown type, a non-finite number, a name
// that is empty or too long) is dropped without an answer: a game client
// that sends garbage gets nothing back to learn from, and the others never
// see it.

/** The bounds a message is checked against; every one is set in start.ts from the environment. */
export interface PondBounds {
  /** |x| and |y| are clamped to this (pond units). */
  worldLimit: number;
  /** momentum is clamped to 0..maxMomentum. */
  maxMomentum: number;
  /** Characters (code points) of a name, after trimming: 1..maxNameLength, else the update is dropped. */
  maxNameLength: number;
  /** Characters (code points) of a chat bubble: longer ones are cut to this. */
  maxMessageLength: number;
}

export const DEFAULT_BOUNDS: Readonly<PondBounds> = Object.freeze({
  worldLimit: 10_000,
  maxMomentum: 5,
  maxNameLength: 24,
  maxMessageLength: 140,
});

export interface TadpoleUpdate {
  type: 'update';
  x: number;
  y: number;
  angle: number;
  momentum: number;
  name: string;
}

export interface ChatBubble {
  type: 'message';
  message: string;
}

export type PondMessage = TadpoleUpdate | ChatBubble;

// C0/C1 controls and the line/paragraph separators: never part of a name or a bubble.
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The message a client sent, checked and clamped; `null` when it must be
 * dropped. Its size is bounded before it gets here: the gateway closes a
 * client whose message exceeds `maxPackageSize` (see start.ts).
 */
export function parseClientMessage(
  frame: string | Buffer,
  bounds: PondBounds = DEFAULT_BOUNDS,
): PondMessage | null {
  if (typeof frame !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  if (fields.type === 'update') return parseUpdate(fields, bounds);
  if (fields.type === 'message') return parseBubble(fields, bounds);
  return null;
}

function parseUpdate(fields: Record<string, unknown>, bounds: PondBounds): TadpoleUpdate | null {
  const { x, y, angle, momentum } = fields;
  // JSON has no NaN, but 1e999 parses to Infinity; strings are not numbers here.
  for (const n of [x, y, angle, momentum]) {
    if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  }
  const name = parseName(fields.name, bounds);
  if (name === null) return null;
  const limit = bounds.worldLimit;
  return {
    type: 'update',
    x: round2(clamp(x as number, -limit, limit)),
    y: round2(clamp(y as number, -limit, limit)),
    // An angle is a direction: wrapped into -π..π rather than clamped, so 4 rad stays 4 rad's direction.
    angle: round2(Math.atan2(Math.sin(angle as number), Math.cos(angle as number))),
    momentum: round2(clamp(momentum as number, 0, bounds.maxMomentum)),
    name,
  };
}

function parseName(name: unknown, bounds: PondBounds): string | null {
  if (typeof name !== 'string' || name.length > bounds.maxNameLength * 2) return null;
  const clean = name.replace(CONTROL, '').trim();
  const length = [...clean].length;
  return length >= 1 && length <= bounds.maxNameLength ? clean : null;
}

function parseBubble(fields: Record<string, unknown>, bounds: PondBounds): ChatBubble | null {
  if (typeof fields.message !== 'string') return null;
  const text = [...fields.message.replace(CONTROL, ' ').trim()]
    .slice(0, bounds.maxMessageLength)
    .join('');
  return text === '' ? null : { type: 'message', message: text };
}
