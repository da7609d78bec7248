import { AsyncTcpConnection } from '../../connection/async-tcp-connection.js';
import { ErrorCodes, WorkermanError } from '../../errors.js';
import { log } from '../../log.js';
import { PendingReplies } from '../../process/pending-replies.js';
import { Command } from '../wire/commands.js';
import { encodeFrame, type GatewayFrame, GatewayFrames } from '../wire/frames.js';
import { proveKnowledge } from '../wire/link-auth.js';

/** How a business worker or GatewayClient links to gateways. */
export interface LinkSettings {
  role: 'worker' | 'client';
  /** `name:id` of a business worker; '' for a GatewayClient. */
  identity: string;
  secretKey: string;
  /** Bytes a link may queue towards its gateway; sends beyond are refused. */
  sendBufferSize: number;
  /** Largest frame accepted from a gateway. */
  maxFrameSize: number;
  /** Seconds a query waits for a gateway's answer. */
  queryTimeout: number;
  /** Seconds between pings on an idle link; a link silent for 4 of them is cut. */
  pingInterval: number;
  /** Seconds before the first reconnect to a gateway that is still listed; doubles up to 10 s. */
  reconnectDelay: number;
}

const MAX_RECONNECT_DELAY = 10;

/**
 * One authenticated link to one gateway process, reconnected while the
 * registry lists the gateway. Queries are matched to replies by request
 * id, each with a deadline.
 */
export class GatewayLink {
  readonly address: string;
  /** The gateway's internal IP (the address without its port), for `client.gatewayIp`. */
  readonly host: string;
  /** The prefix of the ids of this gateway's clients (from its AUTH_OK). */
  idPrefix = '';
  /** The gateway's public port, for `client.gatewayPort`. */
  gatewayPort = 0;
  #ready = false;
  #generation = 0;
  #wanted = true;
  #attempts = 0;
  #lastSeen = Date.now();
  #pingTimer: NodeJS.Timeout | null = null;
  #connectTimer: NodeJS.Timeout | null = null;
  readonly #replies = new PendingReplies();
  readonly #settings: LinkSettings;
  readonly #connection: AsyncTcpConnection;
  readonly #onEvent: (link: GatewayLink, frame: GatewayFrame) => void;
  readonly #onStateChange: (link: GatewayLink) => void;
  #leftWaiter: (() => void) | null = null;

  constructor(
    address: string,
    settings: LinkSettings,
    onEvent: (link: GatewayLink, frame: GatewayFrame) => void,
    onStateChange: (link: GatewayLink) => void,
  ) {
    this.address = address;
    this.host = address.slice(0, address.lastIndexOf(':'));
    this.#settings = settings;
    this.#onEvent = onEvent;
    this.#onStateChange = onStateChange;
    const connection = new AsyncTcpConnection(`tcp://${address}`);
    connection.protocol = GatewayFrames;
    connection.maxPackageSize = settings.maxFrameSize;
    connection.maxSendBufferSize = settings.sendBufferSize;
    connection.onMessage = (_connection, data) => this.#receive(data as unknown as GatewayFrame);
    connection.onClose = () => this.#closed();
    connection.onError = (_connection, _code, message) => {
      if (this.#attempts === 0) log(`gateway link ${address}: ${message}`);
    };
    this.#connection = connection;
    this.#connect();
  }

  /** Authenticated and usable. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Counts the times this link came up: what the gateway numbered on one connection means nothing on the next. */
  get generation(): number {
    return this.#generation;
  }

  /** `false` when the link is down or its send buffer is full. */
  send(frame: Buffer): boolean {
    return this.#ready && this.#connection.send(frame) !== false;
  }

  /**
   * Asks this gateway; rejects with `WM_ERR_GATEWAY_UNREACHABLE` when the
   * link is down or goes down, `WM_ERR_GATEWAY_TIMEOUT` after `queryTimeout`.
   */
  async query(question: object): Promise<unknown> {
    const body = JSON.stringify(question);
    let failed = false;
    const reply = await this.#replies.request((seq, fail) => {
      if (!this.send(encodeFrame(Command.QUERY, 0, 0, seq, body, null))) {
        failed = true;
        fail();
      }
    }, this.#settings.queryTimeout * 1000);
    if (reply !== null) return (reply as { value: unknown }).value;
    if (failed || !this.#ready) {
      throw new WorkermanError(
        ErrorCodes.GATEWAY_UNREACHABLE,
        `gateway ${this.address} is not connected`,
      );
    }
    throw new WorkermanError(
      ErrorCodes.GATEWAY_TIMEOUT,
      `gateway ${this.address} did not answer within ${this.#settings.queryTimeout} s (queryTimeout)`,
    );
  }

  /**
   * Tells the gateway this worker stops, and resolves once it answered
   * (every event it routed here has then arrived) or after `timeoutMs`.
   */
  leave(timeoutMs: number): Promise<void> {
    if (!this.#ready) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#leftWaiter = done;
      this.#connection.send(encodeFrame(Command.LEAVING, 0, 0, 0, null, null));
    });
  }

  /** Closes the link for good (flushing what is queued). */
  close(): void {
    this.#wanted = false;
    this.#stopPinging();
    this.#disarmConnectDeadline();
    this.#connection.close();
  }

  #connect(): void {
    this.#lastSeen = Date.now();
    this.#connection.connect();
    this.#armConnectDeadline(0);
  }

  /**
   * A link must be up (connected and authenticated) within the silence
   * bound, 4 pings, of its attempt; otherwise the attempt is dropped and
   * retried. Without it a connect whose packets vanish (a firewall dropping
   * them) waits out the kernel's SYN retries, minutes, after the path healed.
   */
  #armConnectDeadline(delaySeconds: number): void {
    this.#disarmConnectDeadline();
    const bound = 4 * this.#settings.pingInterval;
    this.#connectTimer = setTimeout(
      () => {
        this.#connectTimer = null;
        if (this.#ready || !this.#wanted) return;
        if (this.#attempts === 0)
          log(`gateway link ${this.address}: not up within ${bound} s, retried`);
        this.#connection.destroy();
      },
      (delaySeconds + bound) * 1000,
    );
    this.#connectTimer.unref();
  }

  #disarmConnectDeadline(): void {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    this.#connectTimer = null;
  }

  #receive(frame: GatewayFrame): void {
    this.#lastSeen = Date.now();
    switch (frame.cmd) {
      case Command.CHALLENGE: {
        const challenge = frame.ext.toString();
        const { role, identity, secretKey } = this.#settings;
        const proof = proveKnowledge(secretKey, challenge, role, identity);
        this.#connection.send(
          encodeFrame(Command.AUTH, 0, 0, 0, JSON.stringify({ role, key: identity, proof }), null),
        );
        return;
      }
      case Command.AUTH_OK: {
        const { gatewayPort, idPrefix } = JSON.parse(frame.ext.toString()) as {
          gatewayPort: number;
          idPrefix: string;
        };
        this.gatewayPort = gatewayPort;
        this.idPrefix = idPrefix;
        this.#disarmConnectDeadline();
        this.#ready = true;
        this.#generation++;
        this.#attempts = 0;
        this.#startPinging();
        this.#onStateChange(this);
        return;
      }
      case Command.REPLY:
        this.#replies.answer(frame.request, {
          value: frame.body.length === 0 ? undefined : JSON.parse(frame.body.toString()),
        });
        return;
      case Command.PING:
        return;
      case Command.LEFT:
        this.#leftWaiter?.();
        this.#leftWaiter = null;
        return;
      default:
        if (this.#ready) this.#onEvent(this, frame);
    }
  }

  #closed(): void {
    const wasReady = this.#ready;
    this.#ready = false;
    this.#stopPinging();
    this.#leftWaiter?.();
    this.#leftWaiter = null;
    if (wasReady) this.#onStateChange(this);
    if (!this.#wanted) return;
    this.#attempts++;
    const delay = Math.min(
      MAX_RECONNECT_DELAY,
      this.#settings.reconnectDelay * 2 ** (this.#attempts - 1),
    );
    this.#connection.reconnect(delay);
    this.#armConnectDeadline(delay);
  }

  #startPinging(): void {
    const interval = this.#settings.pingInterval * 1000;
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastSeen > 4 * interval) {
        log(`gateway link ${this.address}: silent for ${4 * this.#settings.pingInterval} s, cut`);
        this.#connection.destroy();
        return;
      }
      this.#connection.send(encodeFrame(Command.PING, 0, 0, 0, null, null));
    }, interval);
    this.#pingTimer.unref();
  }

  #stopPinging(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
  }
}
