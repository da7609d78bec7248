/**
 * Every error the framework raises or reports carries a stable string `code`.
 * Match on the code, never on the message: messages name the limit and the
 * connection for people, and may be reworded. docs/errors.md lists them all.
 */
export const ErrorCodes = {
  /** An option or property has a value outside what it accepts. */
  INVALID_OPTION: 'WM_ERR_INVALID_OPTION',
  /** A folder the process would trust (sessions, pid file, control socket, log) is not its own, or others may write to it. */
  UNSAFE_PATH: 'WM_ERR_UNSAFE_PATH',
  /** A listen or connect address could not be parsed. */
  INVALID_ADDRESS: 'WM_ERR_INVALID_ADDRESS',
  /** The address scheme names no built-in transport and no registered codec. */
  UNKNOWN_SCHEME: 'WM_ERR_UNKNOWN_SCHEME',
  /** A packet (announced or buffered) is larger than `maxPackageSize`. */
  PACKAGE_TOO_LARGE: 'WM_ERR_PACKAGE_TOO_LARGE',
  /** The codec's `input` or `decode` rejected the bytes received. */
  BAD_PACKET: 'WM_ERR_BAD_PACKET',
  /** `send` was refused because the send buffer already held `maxSendBufferSize` bytes. */
  SEND_BUFFER_FULL: 'WM_ERR_SEND_BUFFER_FULL',
  /** An outbound connection could not be established. */
  CONNECT_FAILED: 'WM_ERR_CONNECT_FAILED',
  /** A user callback threw or returned a rejected promise. */
  CALLBACK_FAILED: 'WM_ERR_CALLBACK_FAILED',
  /** A listening socket could not be opened. */
  LISTEN_FAILED: 'WM_ERR_LISTEN_FAILED',
  /** The codec's `encode` threw. */
  ENCODE_FAILED: 'WM_ERR_ENCODE_FAILED',
  /**
   * A request's session was used after its answer went out: a new id's
   * cookie can no longer be sent, or a change can no longer be saved.
   */
  SESSION_ANSWERED: 'WM_ERR_SESSION_ANSWERED',
  /** `request.sessionId()` before strict mode checked the cookie's id (`await request.session()` first). */
  SESSION_NOT_LOADED: 'WM_ERR_SESSION_NOT_LOADED',
  /**
   * An `http://` send found no request waiting for its answer (a second
   * answer, a late one, a `Chunk` with no chunked response open): dropped.
   */
  NO_REQUEST_TO_ANSWER: 'WM_ERR_NO_REQUEST_TO_ANSWER',
  /** A peer, a callback or a store did not finish a step in its allotted time (a WebSocket handshake, a store lock). */
  TIMEOUT: 'WM_ERR_TIMEOUT',
  /**
   * A peer of an internal link (gateway, business worker, GatewayClient,
   * register) did not prove it knows the cluster's `secretKey`: cut.
   */
  LINK_AUTH_FAILED: 'WM_ERR_LINK_AUTH_FAILED',
  /** A gateway a send or query needs is not connected (unknown, gone, or never reported by a register). */
  GATEWAY_UNREACHABLE: 'WM_ERR_GATEWAY_UNREACHABLE',
  /** A gateway did not answer a query within `queryTimeout`. */
  GATEWAY_TIMEOUT: 'WM_ERR_GATEWAY_TIMEOUT',
  /** A client id that this cluster never issued (malformed, or not 20/44 hex characters). */
  INVALID_CLIENT_ID: 'WM_ERR_INVALID_CLIENT_ID',
  /** A store key is longer than the store's `maxKeyBytes`. */
  STORE_KEY_TOO_LONG: 'WM_ERR_STORE_KEY_TOO_LONG',
  /** A store value's JSON text is larger than the store's `maxValueBytes`. */
  STORE_VALUE_TOO_LARGE: 'WM_ERR_STORE_VALUE_TOO_LARGE',
  /** A store value is not JSON-serialisable, or `increment` found a value that is not an integer. */
  STORE_BAD_VALUE: 'WM_ERR_STORE_BAD_VALUE',
  /** The store's driver cannot do this (memcached cannot list keys). */
  STORE_UNSUPPORTED: 'WM_ERR_STORE_UNSUPPORTED',
  /** A store was used after `close()`. */
  STORE_CLOSED: 'WM_ERR_STORE_CLOSED',
  /** An optional npm package a feature needs (ioredis, memcache-client) is not installed. */
  MISSING_PACKAGE: 'WM_ERR_MISSING_PACKAGE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error with a stable `code`, and a `cause` when it wraps another error. */
export class WorkermanError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkermanError';
    this.code = code;
  }
}

/**
 * The numeric codes the origin passes to `onError(connection, code, message)`.
 * Kept for compatibility; the `WorkermanError` passed as the fourth argument
 * carries the precise string code.
 */
export const CONNECT_FAIL = 1;
export const SEND_FAIL = 2;
/** Bad input from the peer: a codec rejected it or it exceeded a size limit. */
export const PROTOCOL_FAIL = 3;
/** A user callback threw or rejected. */
export const CALLBACK_FAIL = 4;
