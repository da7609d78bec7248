import { clock } from '../../timer/deadline-sweeper.js';
import { earliest, type HttpState, Phase } from './http-state.js';

/**
 * Winding an HTTP/1.x connection down when the process stops accepting (a
 * reload or a stop), so that no request the client has already sent is lost.
 *
 * - A request being received, with the app, or streaming its answer, is
 *   answered. Requests pipelined behind it and already received are answered
 *   too. The last answer carries `Connection: close` and the connection
 *   closes after it (RFC 9112 §9.6). A keep-alive client reads that and opens
 *   its next connection, which reaches a process that still accepts.
 * - An idle keep-alive connection is the hard case. HTTP/1.1 has no way to
 *   tell a client "do not reuse this connection" other than on an answer,
 *   and closing it is a race: a client may be sending its next request just
 *   as our FIN is on its way, and that request is lost (the client sees the
 *   connection close without an answer; RFC 9112 §9.3.1 leaves the retry to
 *   the client, and Node's http client and undici do not retry). So the idle
 *   connection is not closed at once: it stays open for `graceMs`
 *   (`Http.options.drainGrace`), and a request arriving meanwhile is
 *   answered with `Connection: close`, closing the connection race-free. A
 *   connection that carries a request more often than once per grace is
 *   therefore never caught by the race. Only a connection left unused for
 *   the whole grace is closed as idle; it loses a request only if its client
 *   picks that very connection in the same instant, HTTP/1.1's own limit,
 *   the same as for any idle timeout.
 *
 * The process bounds the whole by `Worker.stopTimeout`.
 */
export function startDraining(state: HttpState, graceMs: number): void {
  if (state.draining) return;
  state.draining = true;
  const now = Date.now();
  clock.now = now;
  state.drainDeadline = now + Math.max(0, graceMs);
  const connection = state.connection;
  if (state.streaming === 'events') {
    // An event stream never ends by itself; EventSource reconnects on close.
    connection.close();
    return;
  }
  if (state.phase !== Phase.IDLE || state.request !== null) return;
  if (graceMs <= 0) {
    connection.close();
    return;
  }
  state.deadline = earliest(state.deadline, state.drainDeadline);
}

/**
 * While draining (or after the client's FIN), an answer keeps the connection
 * alive only when more of a request is already here (pipelined behind this
 * one); otherwise it is the last and says `Connection: close`. Called before
 * a response head is built.
 */
export function settleKeepAlive(state: HttpState): void {
  if (state.keepAlive && !state.connection.hasPendingInput) state.keepAlive = false;
}
