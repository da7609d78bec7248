import type { TestContext } from 'node:test';
import { TestClient } from './test-client.js';

/** What one client saw of its numbered messages. */
export interface StreamResult {
  sent: number;
  answered: number;
  /** Answers out of order, duplicated or unexpected; empty when all is well. */
  errors: string[];
}

/**
 * A text:// client of the gateway cluster fixture that sends numbered
 * `echo` calls (`{"tag": n, "op": "echo", "args": [n]}`) and checks that
 * the answers come back exactly once each, in the order sent. Lines
 * without a tag (pushes) are kept apart in `pushes`.
 */
export class EchoStream {
  readonly socket: TestClient;
  readonly id: string;
  readonly pushes: Record<string, unknown>[] = [];
  /** Tags below this are answers to an earlier phase (probes): ignored. */
  #floor = 1;
  #next = 1;
  #expected = 1;
  readonly #errors: string[] = [];
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(socket: TestClient, id: string) {
    this.socket = socket;
    this.id = id;
    void this.#pump();
  }

  static async connect(t: TestContext, port: number): Promise<EchoStream> {
    const socket = await TestClient.connect(port);
    t.after(() => socket.destroy());
    const welcome = JSON.parse(await socket.readLine()) as { id: string };
    return new EchoStream(socket, welcome.id);
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const line = JSON.parse(await this.socket.readLine()) as Record<string, unknown>;
        if (typeof line.tag !== 'number') this.pushes.push(line);
        else this.#answer(line.tag, line.result);
        this.#wake();
      }
    } catch {
      this.#closed = true;
      this.#wake();
    }
  }

  #answer(tag: number, result: unknown): void {
    if (tag < this.#floor) return;
    const echoed = Array.isArray(result) ? result[0] : undefined;
    if (tag !== this.#expected || echoed !== tag) {
      this.#errors.push(
        `expected answer ${this.#expected}, got tag ${tag} echoing ${String(echoed)}`,
      );
    }
    this.#expected = Math.max(this.#expected, tag) + 1;
  }

  async #waitForChange(): Promise<void> {
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /**
   * Sends numbered calls, at most `window` unanswered at a time, until at
   * least `min` were sent and `keepGoing()` says stop (never more than
   * `max`), then waits for the last answer. Rejects if the gateway closes
   * the client or an answer does not come within `answerMs`.
   */
  async run(options: {
    min: number;
    max: number;
    window?: number;
    keepGoing?: () => boolean;
    answerMs?: number;
    /** Bytes of filler in each call (ignored by the business worker, not echoed). */
    pad?: number;
    /** Milliseconds of asynchronous work the business worker does before answering. */
    workMs?: number;
  }): Promise<StreamResult> {
    const {
      min,
      max,
      window = 16,
      keepGoing = () => false,
      answerMs = 30_000,
      pad = 0,
      workMs = 0,
    } = options;
    const filler = pad > 0 ? 'x'.repeat(pad) : undefined;
    this.#floor = this.#next;
    this.#expected = this.#next;
    this.#errors.length = 0;
    const first = this.#next;
    let progress = this.#expected;
    let progressAt = Date.now();
    const wanted = () => this.#next - first < max && (this.#next - first < min || keepGoing());
    for (;;) {
      while (wanted() && this.#next - this.#expected < window) {
        const tag = this.#next++;
        this.socket.write(
          `${JSON.stringify({ tag, op: 'echo', args: workMs > 0 ? [tag, workMs] : [tag], pad: filler })}\n`,
        );
      }
      if (!wanted() && this.#expected >= this.#next) break;
      if (this.#closed)
        throw new Error(`client ${this.id} was closed after ${this.#expected - first} answers`);
      if (this.#expected !== progress) {
        progress = this.#expected;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > answerMs) {
        throw new Error(`client ${this.id}: no answer to ${this.#expected} within ${answerMs} ms`);
      }
      await Promise.race([
        this.#waitForChange(),
        new Promise((resolve) => setTimeout(resolve, 500).unref()),
      ]);
    }
    return {
      sent: this.#next - first,
      answered: this.#expected - first,
      errors: [...this.#errors],
    };
  }

  /** Sends one numbered call and does not wait for it (it may be lost: a later `probe` or `run` leaves it behind). */
  fire(): void {
    const tag = this.#next++;
    this.socket.write(`${JSON.stringify({ tag, op: 'echo', args: [tag] })}\n`);
  }

  /** One call answered within `answerMs`, or `false`. Earlier lost calls are then left behind. */
  async probe(answerMs = 2000): Promise<boolean> {
    const tag = this.#next++;
    this.#floor = tag;
    this.#expected = tag;
    this.socket.write(`${JSON.stringify({ tag, op: 'echo', args: [tag] })}\n`);
    const deadline = Date.now() + answerMs;
    while (this.#expected <= tag && !this.#closed && Date.now() < deadline) {
      await Promise.race([
        this.#waitForChange(),
        new Promise((resolve) => setTimeout(resolve, Math.max(1, deadline - Date.now())).unref()),
      ]);
    }
    this.#errors.length = 0;
    return this.#expected > tag;
  }
}
