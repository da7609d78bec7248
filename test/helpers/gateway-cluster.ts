import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StatusReport } from '../../src/process/status.js';
import { freePort, runStartFile, type StartFileRun } from './start-file.js';
import { TestClient } from './test-client.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/gateway-cluster.ts', import.meta.url));

export type ClusterApp = StartFileRun & {
  ports: { REGISTER_PORT: number; GATEWAY_PORT: number };
  status(): Promise<StatusReport>;
  /** Pids of the children of the worker named `worker`, from `status`. */
  pids(worker: string): Promise<number[]>;
};

/**
 * Starts test/fixtures/gateway-cluster.ts on free ports; stopped with the
 * test. With `env.REGISTRY` (`redis://...`) the cluster finds its gateways
 * through Redis and runs no register (`ports.REGISTER_PORT` stays unused).
 */
export async function startCluster(
  t: TestContext,
  env: Record<string, string> = {},
): Promise<ClusterApp> {
  const ports = { REGISTER_PORT: await freePort(), GATEWAY_PORT: await freePort() };
  const fullEnv = {
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ...env,
  };
  const app = runStartFile(t, FIXTURE, fullEnv);
  await app.waitForLine(/Start success/);
  const status = async (): Promise<StatusReport> => {
    const result = await app.cli(['status', '--json']);
    if (result.code !== 0) throw new Error(`status failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as StatusReport;
  };
  const pids = async (worker: string): Promise<number[]> =>
    (await status()).children.filter((c) => c.worker === worker).map((c) => c.pid);
  return Object.assign(app, { ports, status, pids });
}

/** A text:// client of the cluster: JSON lines, calls answered by tag, pushes kept apart. */
export class ClusterClient {
  readonly id: string;
  readonly worker: number;
  /** The first line the business worker sent (its onConnect). */
  readonly welcome: Record<string, unknown>;
  readonly #socket: TestClient;
  readonly #lines: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  #tag = 0;
  #closed = false;

  private constructor(socket: TestClient, welcome: Record<string, unknown>) {
    this.#socket = socket;
    this.id = welcome.id as string;
    this.worker = welcome.worker as number;
    this.welcome = welcome;
    void this.#pump();
  }

  static async connect(t: TestContext, port: number, host = '127.0.0.1'): Promise<ClusterClient> {
    const socket = await TestClient.connect(port, host);
    t.after(() => socket.destroy());
    // A ping of the gateway's heartbeat may come before the business worker's welcome.
    const early: Record<string, unknown>[] = [];
    for (;;) {
      const line = JSON.parse(await socket.readLine()) as Record<string, unknown>;
      if (line.event === 'welcome') {
        const client = new ClusterClient(socket, line);
        client.#lines.push(...early);
        return client;
      }
      early.push(line);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const line = await this.#socket.readLine();
        this.#lines.push(
          line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : { text: line },
        );
        this.#wakeAll();
      }
    } catch {
      this.#closed = true;
      this.#wakeAll();
    }
  }

  /** Calls `Gateway[op](...args)` (or a context op) in a business worker; resolves with its result. */
  async call(op: string, ...args: unknown[]): Promise<unknown> {
    return (await this.request(op, ...args)).result;
  }

  /** Like `call`, resolving with the whole answer line (the fixture may say more than the result). */
  async request(op: string, ...args: unknown[]): Promise<Record<string, unknown>> {
    const tag = ++this.#tag;
    this.#socket.write(`${JSON.stringify({ tag, op, args })}\n`);
    return this.next((line) => line.tag === tag);
  }

  /** Lines received and not consumed that match (a second answer to a call stays here). */
  unread(match: (line: Record<string, unknown>) => boolean): Record<string, unknown>[] {
    return this.#lines.filter(match);
  }

  send(line: string): void {
    this.#socket.write(`${line}\n`);
  }

  /** The next line (call answers excluded unless asked for) matching `match`; it is consumed. */
  async next(
    match: (line: Record<string, unknown>) => boolean = (line) => line.tag === undefined,
  ): Promise<Record<string, unknown>> {
    for (;;) {
      const at = this.#lines.findIndex(match);
      if (at !== -1) return this.#lines.splice(at, 1)[0]!;
      if (this.#closed) throw new Error(`client ${this.id} closed while waiting`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Resolves when the gateway closed this client. */
  async whenClosed(): Promise<void> {
    while (!this.#closed) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  #wakeAll(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  destroy(): void {
    this.#socket.destroy();
  }
}
