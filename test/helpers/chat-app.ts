import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort, runStartFile, type StartFileRun } from './start-file.js';

const START_FILE = fileURLToPath(new URL('../../examples/chat/start.ts', import.meta.url));

export interface ChatPorts {
  REGISTER_PORT: string;
  GATEWAY_PORT: string;
  WEB_PORT: string;
  START_PORT: string;
}

export type ChatApp = StartFileRun & { ports: ChatPorts; webUrl: string; gatewayUrl: string };

export async function chatPorts(): Promise<ChatPorts> {
  return {
    REGISTER_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    WEB_PORT: String(await freePort()),
    START_PORT: '0',
  };
}

/**
 * Starts examples/chat/start.ts as `npm run example` does, on `ports` (free
 * ones by default) with `env` added (`PING_INTERVAL`), and resolves once it
 * printed the address to open.
 * Stopped (its process group killed) when the test ends.
 */
export async function startChat(
  t: TestContext,
  ports?: ChatPorts,
  env: Record<string, string> = {},
): Promise<ChatApp> {
  const chosen = ports ?? (await chatPorts());
  const app = runStartFile(t, START_FILE, { ...env, ...chosen });
  const line = await app.waitForLine(/^open http:\/\//);
  const webUrl = line.slice('open '.length);
  return Object.assign(app, {
    ports: chosen,
    webUrl,
    gatewayUrl: `ws://127.0.0.1:${chosen.GATEWAY_PORT}/`,
  });
}

export type ChatMessage = Record<string, unknown> & { type: string };

/**
 * One chat user over the `ws` client: everything received is kept in
 * `received`, in order; the gateway's pings are answered, as the page does,
 * unless `answerPings` is false.
 */
export class ChatUser {
  readonly received: ChatMessage[] = [];
  readonly socket: WebSocket;
  /** The uid the server gave this user at its last login. */
  uid = '';
  closeCode: number | null = null;
  #wake: (() => void) | null = null;

  private constructor(socket: WebSocket, answerPings: boolean) {
    this.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ChatMessage;
      this.received.push(message);
      if (message.type === 'ping' && answerPings) this.send({ type: 'pong' });
      this.#wake?.();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.#wake?.();
    });
  }

  static async connect(t: TestContext, url: string, answerPings = true): Promise<ChatUser> {
    const socket = new WebSocket(url);
    t.after(() => socket.terminate());
    await once(socket, 'open');
    return new ChatUser(socket, answerPings);
  }

  send(message: Record<string, unknown> | string): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * The first message from `from` on (an index into `received`) that
   * matches; fails past `limitMs` or when the socket closes first.
   */
  async next(
    match: (message: ChatMessage) => boolean,
    from = 0,
    limitMs = 30_000,
  ): Promise<ChatMessage> {
    const deadline = Date.now() + limitMs;
    for (let seen = from; ; ) {
      for (; seen < this.received.length; seen++) {
        const message = this.received[seen] as ChatMessage;
        if (match(message)) return message;
      }
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no matching message; received ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Logs in and resolves with the room's user list (this user's uid noted). */
  async login(name: string, room: string): Promise<ChatMessage> {
    const from = this.received.length;
    this.send({ type: 'login', name, room });
    const list = await this.next((m) => m.type === 'user_list' || m.type === 'error', from);
    if (list.type === 'error') throw new Error(`login refused: ${String(list.message)}`);
    this.uid = String(list.self);
    return list;
  }

  /** Sends `message` and resolves with the server's answer of `type`. */
  async ask(message: Record<string, unknown> | string, type: string): Promise<ChatMessage> {
    const from = this.received.length;
    this.send(message);
    return this.next((m) => m.type === type, from);
  }
}
