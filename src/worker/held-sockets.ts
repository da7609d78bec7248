import type { Socket } from 'node:net';
import { debugWorker } from '../log.js';

/**
 * Connections a worker accepted while its accepting was paused
 * (`pauseAccept`): they wait, unread, for `resumeAccept`. Bounded in number
 * and in time, as every wait: past `limit` a new one is closed at once, and
 * each is closed `timeoutMs` after it arrived if accepting has not resumed.
 */
export class HeldSockets {
  /** In arrival order, so the first one is always the next to expire. */
  #held: { socket: Socket; expires: number }[] = [];
  #timer: NodeJS.Timeout | null = null;

  get size(): number {
    return this.#held.length;
  }

  /** Holds `socket`, or closes it when `limit` sockets already wait. */
  hold(socket: Socket, limit: number, timeoutMs: number): void {
    if (this.#held.length >= limit) this.#forgetClosed();
    if (this.#held.length >= limit) {
      debugWorker(
        'a connection from %s was closed: %d are already held while accepting is paused (limit %d)',
        socket.remoteAddress,
        this.#held.length,
        limit,
      );
      socket.destroy();
      return;
    }
    socket.pause();
    // A held socket may fail (reset) before it is accepted; without a
    // listener its 'error' would be thrown.
    socket.on('error', ignoreHeldSocketError);
    this.#held.push({ socket, expires: Date.now() + timeoutMs });
    if (this.#timer === null) this.#armTimer();
  }

  /** Hands over every socket still open, in arrival order, and stops holding them. */
  release(): Socket[] {
    this.#stopTimer();
    const sockets = this.#held.map((entry) => entry.socket).filter((socket) => !socket.destroyed);
    this.#held = [];
    return sockets;
  }

  /** Closes every held socket. */
  destroyAll(): void {
    for (const socket of this.release()) socket.destroy();
  }

  #armTimer(): void {
    const first = this.#held[0];
    if (first === undefined) return;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, first.expires - Date.now()));
    this.#timer.unref();
  }

  #expire(): void {
    this.#timer = null;
    const now = Date.now();
    let expired = 0;
    while (expired < this.#held.length && (this.#held[expired]?.expires ?? 0) <= now) expired++;
    for (const { socket } of this.#held.splice(0, expired)) {
      debugWorker(
        'a held connection from %s timed out before accepting resumed',
        socket.remoteAddress,
      );
      socket.destroy();
    }
    this.#armTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Drops entries whose peer went away meanwhile, so they do not count against the limit. */
  #forgetClosed(): void {
    this.#held = this.#held.filter((entry) => !entry.socket.destroyed);
  }
}

function ignoreHeldSocketError(error: Error): void {
  debugWorker('a connection failed before it was accepted: %s', error.message);
}
