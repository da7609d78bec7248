/**
 * Commands of the internal links between gateways and their peers
 * (business workers, GatewayClients). The numbers follow the PHP
 * original's GatewayProtocol where a command has a counterpart there, so the
 * two stay easy to compare; the frame around them is ours (see frames.ts).
 */
export const Command = {
  // Gateway → business worker: a client's events.
  ON_CONNECT: 1,
  ON_MESSAGE: 3,
  ON_CLOSE: 4,
  ON_WEBSOCKET_CONNECT: 205,

  // Peer → gateway: act on clients.
  SEND_TO_CLIENT: 5,
  SEND_TO_ALL: 6,
  CLOSE_CLIENT: 7,
  UPDATE_SESSION: 9,
  BIND_UID: 12,
  UNBIND_UID: 13,
  SEND_TO_UID: 14,
  JOIN_GROUP: 20,
  LEAVE_GROUP: 21,
  SEND_TO_GROUP: 22,
  UNGROUP: 27,
  SET_SESSION: 204,

  // Peer → gateway: a question; gateway → peer: its answer (same request id).
  QUERY: 30,
  REPLY: 31,

  // Link control.
  CHALLENGE: 200,
  AUTH: 202,
  AUTH_OK: 206,
  PING: 201,
  /** A business worker stops: route nothing more to it. */
  LEAVING: 210,
  /** The gateway's answer to LEAVING: nothing follows on this link. */
  LEFT: 211,
  /**
   * Business worker → gateway: the event numbered `request` was handled
   * (what its handler sent precedes this on the link). Events a gateway
   * has sent without this answer go to another worker when the link dies.
   */
  HANDLED: 212,
} as const;

export type CommandCode = (typeof Command)[keyof typeof Command];

/** Frame flags: how `body` is to be read. */
export const BodyKind = {
  /** Bytes: a client is sent a Buffer (a WebSocket binary frame). */
  BINARY: 0,
  /** UTF-8 text: a client is sent a string. */
  TEXT: 1,
  /** JSON: a value a codec decoded to something else than text or bytes. */
  JSON: 2,
} as const;

export type BodyKindValue = (typeof BodyKind)[keyof typeof BodyKind];

/** Flag bits beside the body kind (which takes the low two bits). */
export const FrameFlag = {
  /** SEND_*: bypass the client's codec (`raw` in the origin's API). */
  RAW: 4,
  /** CLOSE_CLIENT: destroy at once instead of flushing first. */
  DESTROY: 8,
} as const;

export const BODY_KIND_MASK = 3;
