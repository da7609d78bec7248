import { clock, DeadlineSweeper } from '../../timer/deadline-sweeper.js';
import type { StreamCodecConnection } from '../codec-connection.js';
import type { ChunkedBodyScanner } from './chunked-body.js';
import type { Request } from './request.js';
import type { RequestHead } from './request-head.js';

const { debuglog } = process.getBuiltinModule('node:util');

const debugHttp = debuglog('workerman-http');

export type HttpConnection = StreamCodecConnection;

/** Where a connection is in its request/response cycle; each has its own timeout. */
export const Phase = {
  /** Waiting for the first byte of a request (keep-alive idle). */
  IDLE: 0,
  /** Part of a head has arrived (header timeout, counted from its first byte). */
  HEAD: 1,
  /** The head is in, the body is not complete (body timeout, counted from the head). */
  BODY: 2,
  /** The request went to the app; no timeout while the app works. */
  HANDLING: 3,
  /** A file is streaming and the peer reads slowly (send timeout). */
  SENDING: 4,
} as const;
export type PhaseValue = (typeof Phase)[keyof typeof Phase];

/** Per-connection state of the HTTP codec (the connection never knows it). */
export interface HttpState {
  readonly connection: HttpConnection;
  phase: PhaseValue;
  /** Clock time (ms, `clock`) after which the sweeper closes the connection; 0: none. */
  deadline: number;
  /** How far the current head was searched for its end. */
  searchFrom: number;
  head: RequestHead | null;
  bodyLength: number;
  scanner: ChunkedBodyScanner | null;
  /** The request delivered to the app and not yet answered (requests are answered in order). */
  request: Request | null;
  keepAlive: boolean;
  /** The codec paused receiving until the current request is answered. */
  pausedForOrder: boolean;
  /**
   * A streamed answer is open; the request is answered at its end:
   * `chunked` frames each Chunk, `close-delimited` sends them bare to an
   * HTTP/1.0 client and closes after the last, `bodiless` drops them (HEAD),
   * `events` is an event stream, `file` a file read from disk.
   */
  streaming: 'none' | 'chunked' | 'close-delimited' | 'bodiless' | 'events' | 'file';
  /** Set while a file is streaming; called when the connection closes. */
  abortFile: (() => void) | null;
  /** The process is stopping (reload or stop): see drain.ts. */
  draining: boolean;
  /** While draining: clock time after which an idle connection is closed. */
  drainDeadline: number;
  /** The client half-closed: answer what it sent, then close (http.ts onPeerEnd). */
  peerEnded: boolean;
}

const states = new WeakMap<HttpConnection, HttpState>();
/** Every live state: their deadlines (header, body, keep-alive, send timeouts) are swept. */
const deadlines = new DeadlineSweeper<HttpState>(expire);

export function createState(connection: HttpConnection): HttpState {
  const state: HttpState = {
    connection,
    phase: Phase.IDLE,
    deadline: 0,
    searchFrom: 0,
    head: null,
    bodyLength: 0,
    scanner: null,
    request: null,
    keepAlive: true,
    pausedForOrder: false,
    streaming: 'none',
    abortFile: null,
    draining: false,
    drainDeadline: 0,
    peerEnded: false,
  };
  states.set(connection, state);
  deadlines.add(state);
  return state;
}

export function stateOf(connection: HttpConnection): HttpState {
  return states.get(connection) ?? createState(connection);
}

export function dropState(connection: HttpConnection): void {
  const state = states.get(connection);
  if (state === undefined) return;
  states.delete(connection);
  deadlines.delete(state);
  state.abortFile?.();
}

/**
 * A passed deadline: an idle keep-alive connection is closed in order; a
 * peer stalling mid-request or not reading is cut (nothing useful can be
 * said to it). A draining process closes idle ones in order even with bytes
 * still queued: its stopTimeout bounds the flush.
 */
function expire(state: HttpState): void {
  const idle = state.phase === Phase.IDLE;
  if (idle && (state.draining || state.connection.getSendBufferQueueSize() === 0)) {
    state.connection.close();
  } else state.connection.destroy();
}

/**
 * The current request is fully answered: close when it asked for that, or
 * wait for the next one (idle timeout) and let pipelined bytes through.
 */
export function finishRequest(state: HttpState, idleTimeoutMs: number): void {
  const request = state.request;
  if (request === null) return;
  state.request = null;
  // Most requests have no session: no promise is made for them.
  request.saveSession()?.catch((error: unknown) => {
    debugHttp('saving the session failed on %s: %s', state.connection.describe(), error);
  });
  state.streaming = 'none';
  const connection = state.connection;
  if (!state.keepAlive) {
    // A peer that never takes the last answer must not hold the connection
    // open: it gets the idle timeout to read it, then is cut.
    state.phase = Phase.SENDING;
    state.deadline = idleTimeoutMs > 0 ? clock.now + idleTimeoutMs : 0;
    // After the bytes of this send are queued: close() flushes them, then ends.
    queueMicrotask(() => connection.close());
    return;
  }
  state.phase = Phase.IDLE;
  state.deadline = idleTimeoutMs > 0 ? clock.now + idleTimeoutMs : 0;
  // Kept alive while draining (a pipelined request follows, or the head
  // went out before the drain began): idle, it closes at the drain deadline.
  if (state.draining) state.deadline = earliest(state.deadline, state.drainDeadline);
  if (state.pausedForOrder) {
    state.pausedForOrder = false;
    // Not at once: this runs inside send(), before its bytes are written; the
    // next request's answer must not overtake this one.
    queueMicrotask(() => connection.resumeRecv());
  }
  // The client sent its FIN: once the requests it sent before it are
  // delivered (the resume above) and none is left with the app, close.
  if (state.peerEnded) {
    queueMicrotask(() => {
      if (state.request === null) connection.close();
    });
  }
}

/** The earlier of two deadlines, where 0 is none. */
export function earliest(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}
