/**
 * Requests sent over a message channel (the IPC to a child) and the replies
 * that come back for them, matched by a sequence number. Every request has a
 * deadline: a peer that is gone, busy or never answers settles it as `null`,
 * so a caller never waits for ever.
 */
export class PendingReplies {
  #seq = 0;
  readonly #waiting = new Map<number, (reply: unknown) => void>();

  /**
   * Sends one request through `send` (given its sequence number, and a
   * function to call if the send itself failed) and resolves with the reply,
   * or `null` after `timeoutMs` or on a failed send.
   */
  request(send: (seq: number, failed: () => void) => void, timeoutMs: number): Promise<unknown> {
    const seq = ++this.#seq;
    return new Promise((resolve) => {
      const settle = (reply: unknown) => {
        clearTimeout(timer);
        this.#waiting.delete(seq);
        resolve(reply);
      };
      const timer = setTimeout(() => settle(null), timeoutMs);
      this.#waiting.set(seq, settle);
      send(seq, () => settle(null));
    });
  }

  /** A reply arrived for `seq`; one whose request already timed out is dropped. */
  answer(seq: number, reply: unknown): void {
    this.#waiting.get(seq)?.(reply);
  }

  /** Requests still waiting for their reply. */
  get size(): number {
    return this.#waiting.size;
  }
}
