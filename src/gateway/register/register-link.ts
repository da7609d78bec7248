import { AsyncTcpConnection } from '../../connection/async-tcp-connection.js';
import { ConnectionStatus } from '../../connection/tcp-connection.js';
import { CONNECT_FAIL, type WorkermanError } from '../../errors.js';
import { log } from '../../log.js';
import { proveKnowledge } from '../wire/link-auth.js';
import { debugRegister } from './debug-register.js';
import { CONNECT_EVENTS, parseRegisterLine, type RegisterRole } from './register-messages.js';

/** What one link needs to know; RegisterClient fills it from its options. */
export interface RegisterLinkSettings {
  /** The register's `host:port`. */
  readonly address: string;
  readonly secretKey: string;
  readonly role: RegisterRole;
  /** Role `gateway`: the internal address to announce. */
  readonly announce: string;
  /** Seconds before the first reconnect; doubles while the register stays down. */
  readonly reconnectDelay: number;
  /** The most the reconnect delay grows to, in seconds. */
  readonly maxReconnectDelay: number;
  /** Seconds between pings; 0: none. */
  readonly pingInterval: number;
  /** Bytes of one line from the register. */
  readonly maxPackageSize: number;
  /** A fresh list arrived from this register (roles worker and client). */
  readonly onList: () => void;
}

/**
 * The long-lived link to one register: answers its challenge (re-announcing
 * a gateway on every connect), keeps the last list it sent, pings, and
 * reconnects with backoff while the register is down. The last list is kept
 * through an outage: RegisterClient decides what it means.
 */
export class RegisterLink {
  readonly settings: RegisterLinkSettings;
  /** The last list this register sent, or `null` before its first. */
  list: string[] | null = null;

  readonly #connection: AsyncTcpConnection<`text://${string}`>;
  #delay: number;
  #pingTimer: NodeJS.Timeout | null = null;
  #answered = false;
  /** A list arrived on the current connection. */
  #listed = false;
  /** The register answered on some connection since start. */
  #reached = false;
  /** The loss of the register was logged; the next loss is logged once it is back. */
  #down = false;
  #stopped = false;
  #whenClosed: (() => void) | null = null;

  constructor(settings: RegisterLinkSettings) {
    this.settings = settings;
    this.#delay = settings.reconnectDelay;
    const connection = new AsyncTcpConnection(`text://${settings.address}` as const);
    connection.maxPackageSize = settings.maxPackageSize;
    connection.onConnect = () => debugRegister('register link: connected to %s', settings.address);
    connection.onMessage = (_connection, line) => this.#receive(line);
    connection.onClose = () => this.#closed();
    connection.onError = (_connection, code, _message, error) => this.#failed(code, error);
    this.#connection = connection;
  }

  start(): void {
    this.#connection.connect();
    const interval = this.settings.pingInterval;
    if (interval > 0) this.#pingTimer = setInterval(() => this.#ping(), interval * 1000);
  }

  /** Closes the link for good: no reconnect, no ping. Resolves once the socket is closed. */
  stop(): Promise<void> {
    this.#stopped = true;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    const connection = this.#connection;
    connection.cancelReconnect();
    const status = connection.getStatus();
    if (status === ConnectionStatus.INITIAL || status === ConnectionStatus.CLOSED) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#whenClosed = resolve;
      connection.destroy();
    });
  }

  #receive(line: string): void {
    const { address, role } = this.settings;
    const parsed = parseRegisterLine(line);
    if (!parsed.ok) {
      log(`register client: ignored a line from register ${address}: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    if (message.event === 'challenge') {
      if (this.#answered) {
        log(`register client: ignored a second challenge from register ${address}`);
        return;
      }
      this.#answer(message.challenge);
      return;
    }
    if (role === 'gateway') {
      log(`register client: ignored an address list sent to a gateway by register ${address}`);
      return;
    }
    this.list = message.addresses;
    this.#listed = true;
    this.settings.onList();
  }

  #answer(challenge: string): void {
    const { address, secretKey, role, announce } = this.settings;
    const identity = role === 'gateway' ? announce : '';
    const proof = proveKnowledge(secretKey, challenge, role, identity);
    const event = CONNECT_EVENTS[role];
    const answer = role === 'gateway' ? { event, address: announce, proof } : { event, proof };
    this.#connection.send(JSON.stringify(answer));
    this.#answered = true;
    // The register is there and talking: the next loss starts the backoff anew.
    this.#delay = this.settings.reconnectDelay;
    if (this.#down) {
      log(`register client: register ${address} is reachable ${this.#reached ? 'again' : 'now'}`);
    }
    this.#down = false;
    this.#reached = true;
  }

  #ping(): void {
    if (this.#answered && this.#connection.getStatus() === ConnectionStatus.ESTABLISHED) {
      this.#connection.send('{"event":"ping"}');
    }
  }

  #closed(): void {
    const refused = this.#answered && !this.#listed && this.settings.role !== 'gateway';
    this.#answered = false;
    this.#listed = false;
    if (this.#stopped) {
      this.#whenClosed?.();
      this.#whenClosed = null;
      return;
    }
    const { address, maxReconnectDelay } = this.settings;
    const delay = this.#delay;
    this.#delay = Math.min(delay * 2, maxReconnectDelay);
    if (!this.#reached && delay < maxReconnectDelay) {
      // Not reached since start: the processes of one start file come up
      // together, and a register that is a moment late is no outage. It is
      // reported once the backoff reaches its cap.
      debugRegister('register link: %s not reachable yet, next try in %d s', address, delay);
    } else if (!this.#reached && !this.#down) {
      this.#down = true;
      log(
        `register client: register ${address} not reachable since start; ` +
          `retrying every ${maxReconnectDelay} s`,
      );
    } else if (!this.#down) {
      this.#down = true;
      // A subscriber whose proof was refused is cut before any list: say where to look.
      const hint = refused
        ? ' before sending a list (a different secretKey? see the register log)'
        : '';
      log(
        `register client: lost register ${address}${hint}; reconnecting in ${delay} s, ` +
          `backing off up to ${maxReconnectDelay} s`,
      );
    } else {
      debugRegister('register link: %s still down, next try in %d s', address, delay);
    }
    this.#connection.reconnect(delay);
  }

  #failed(code: number, error: WorkermanError): void {
    // A refused connect is followed by onClose, which logs the outage once.
    if (code === CONNECT_FAIL) {
      debugRegister('register link: %s', error.message);
      return;
    }
    log(`register client: register ${this.settings.address}: ${error.code}: ${error.message}`);
  }
}
