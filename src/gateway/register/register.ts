import { joinHostPort } from '../../connection/connection.js';
import type { TcpConnection } from '../../connection/tcp-connection.js';
import { ErrorCodes, PROTOCOL_FAIL, WorkermanError } from '../../errors.js';
import { log } from '../../log.js';
import { Text } from '../../protocols/text.js';
import { DeadlineSweeper } from '../../timer/deadline-sweeper.js';
import { parseAddress } from '../../transport/address.js';
import { Worker } from '../../worker/worker.js';
import { checkProof, newChallenge } from '../wire/link-auth.js';
import { debugRegister } from './debug-register.js';
import { validateRegister } from './register-limits.js';
import {
  normalizeAddresses,
  parsePeerLine,
  type RegisterRole,
  roleOfEvent,
  sameAddresses,
} from './register-messages.js';

type Link = TcpConnection<unknown, unknown>;

/** One accepted connection, from its challenge until it closes. */
interface Peer {
  readonly link: Link;
  /** `ip:port` of the peer, for log lines. */
  readonly name: string;
  readonly challenge: string;
  /** `null` until the peer has proved it knows `secretKey`. */
  role: RegisterRole | null;
  /** The internal address a gateway announced. */
  address: string;
  /** Clock time (ms) by which the peer must have authenticated; 0 once it has. */
  deadline: number;
}

/** `socketName`, if it names a stream transport (the register's peers keep a connection). */
function streamAddress(socketName: string): string {
  if (parseAddress(socketName).transport === 'udp') {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `Register("${socketName}"): a register needs a stream transport (tcp, ssl or unix), not udp`,
    );
  }
  return socketName;
}

/** Seconds between two log lines about connections refused over `maxConnections`. */
const REFUSAL_LOG_INTERVAL_S = 10;

/**
 * The registry of a gateway cluster: `new Register('text://127.0.0.1:1236')`.
 *
 * Gateways announce their internal address; business workers and
 * GatewayClients subscribe and get the list of gateway addresses at once
 * and again on every change (deduplicated, sorted). A gateway's address
 * leaves the list when its connection closes. Lines are JSON over `text://`
 * (the codec is Text whatever the scheme); each peer first answers a
 * challenge with an HMAC proof of `secretKey` (wire/link-auth.ts), so the
 * key never crosses the wire.
 *
 * A register is one process: its list lives in memory, and two processes
 * sharing a port would each hold half of it. `count` is therefore always 1;
 * setting anything else throws `WM_ERR_INVALID_OPTION`. For redundancy run
 * several registers (each its own address) and give peers all of them.
 * `reloadable` is false: a reload keeps it running, so no peer loses it.
 *
 * `onConnect`, `onMessage`, `onClose` and `onError` are the register's own;
 * `onWorkerStart` / `onWorkerStop` are free for the user.
 *
 * Bad input (a wrong proof, malformed JSON, an unknown event, anything but
 * the answer before authentication, a line over `maxPackageSize`, no answer
 * within `authTimeout`) closes that one connection with a logged reason
 * naming the peer, never the key or the proof.
 */
export class Register extends Worker {
  /** The cluster's shared secret; every gateway, business worker and GatewayClient must have the same. */
  secretKey = '';
  /** Seconds a connection may take to authenticate before it is closed. */
  authTimeout = 10;
  /** Connections held at once (gateways, subscribers, and those still authenticating); more are refused. */
  maxConnections = 10_000;
  /** Bytes of one line from a peer; a longer one closes that connection. */
  maxPackageSize = 64 * 1024;

  readonly #peers = new Map<number, Peer>();
  readonly #subscribers = new Set<Peer>();
  readonly #pending = new DeadlineSweeper<Peer>((peer) => this.#authTimedOut(peer));
  /** The list as last sent to subscribers. */
  #published: string[] = [];
  #lastRefusalLog = 0;
  #refusalsNotLogged = 0;

  constructor(socketName: string) {
    // Refused before super(): a worker is listed for runAll() as soon as it is built.
    super(streamAddress(socketName));
    this.name = 'Register';
    this.protocol = Text;
    this.reloadable = false;
    Object.defineProperty(this, 'count', {
      configurable: false,
      enumerable: true,
      get: () => 1,
      set: (value: unknown) => {
        if (value === 1) return;
        throw new WorkermanError(
          ErrorCodes.INVALID_OPTION,
          `Register.count must be 1, got ${String(value)}: a register is one process ` +
            '(its list lives in memory); run several registers on their own addresses for redundancy',
        );
      },
    });
    this.onConnect = (connection) => this.#accept(connection as Link);
    this.onMessage = (connection, line) => this.#receive(connection as Link, line);
    this.onClose = (connection) => this.#closed(connection as Link);
    this.onError = (connection, code, _message, error) =>
      this.#failed(connection as Link, code, error);
  }

  /** Gateway addresses currently registered (deduplicated, sorted). */
  get addresses(): readonly string[] {
    return this.#addressList();
  }

  /** Checks the register's settings, then listens. */
  override async listen(): Promise<void> {
    validateRegister(this);
    return super.listen();
  }

  #accept(link: Link): void {
    if (this.connections.size > this.maxConnections) {
      this.#refuseOverLimit(link);
      return;
    }
    link.maxPackageSize = this.maxPackageSize;
    const peer: Peer = {
      link,
      name: joinHostPort(link.getRemoteIp(), link.getRemotePort()),
      challenge: newChallenge(),
      role: null,
      address: '',
      deadline: Date.now() + this.authTimeout * 1000,
    };
    this.#peers.set(link.id, peer);
    this.#pending.add(peer);
    link.send(JSON.stringify({ event: 'challenge', challenge: peer.challenge }));
  }

  #receive(link: Link, line: unknown): void {
    const peer = this.#peers.get(link.id);
    if (peer === undefined || typeof line !== 'string') return;
    const parsed = parsePeerLine(line);
    if (!parsed.ok) {
      this.#cut(peer, parsed.reason);
      return;
    }
    const message = parsed.message;
    if (peer.role !== null) {
      // Pings keep NAT and firewall state alive; nothing else follows the answer.
      if (message.event !== 'ping')
        this.#cut(peer, `unexpected ${message.event} after authentication`);
      return;
    }
    if (message.event === 'ping') {
      this.#cut(peer, 'ping before authentication');
      return;
    }
    const role = roleOfEvent(message.event) as RegisterRole;
    const address = message.event === 'gateway_connect' ? message.address : '';
    if (!checkProof(this.secretKey, peer.challenge, role, address, message.proof)) {
      this.#cut(
        peer,
        `${ErrorCodes.LINK_AUTH_FAILED}: wrong proof for ${message.event} (not the same secretKey?)`,
      );
      return;
    }
    peer.role = role;
    peer.deadline = 0;
    this.#pending.delete(peer);
    if (role === 'gateway') {
      peer.address = address;
      debugRegister('register: gateway %s announced from %s', address, peer.name);
      this.#publish();
    } else {
      this.#subscribers.add(peer);
      debugRegister('register: %s subscribed from %s', role, peer.name);
      this.#sendList(peer, this.#published);
    }
  }

  #closed(link: Link): void {
    const peer = this.#peers.get(link.id);
    if (peer === undefined) return;
    this.#peers.delete(link.id);
    this.#pending.delete(peer);
    this.#subscribers.delete(peer);
    if (peer.role === 'gateway') {
      debugRegister('register: gateway %s left (%s)', peer.address, peer.name);
      this.#publish();
    }
  }

  #failed(link: Link, code: number, error: WorkermanError): void {
    const peer = this.#peers.get(link.id);
    const name = peer?.name ?? joinHostPort(link.getRemoteIp(), link.getRemotePort());
    log(`register: closed ${name}: ${error.code}: ${error.message}`);
    // A line over maxPackageSize or one the codec refused: the connection is
    // already closing. A send refused (a subscriber that does not read) would
    // leave it with a stale list: better it reconnects and gets a fresh one.
    if (code !== PROTOCOL_FAIL) link.destroy();
  }

  #authTimedOut(peer: Peer): void {
    this.#pending.delete(peer);
    log(`register: auth timeout from ${peer.name}`);
    peer.link.destroy();
  }

  /** Closes one peer's connection and says why (never the key or the proof). */
  #cut(peer: Peer, reason: string): void {
    log(`register: closed ${peer.name}: ${reason}`);
    peer.link.destroy();
  }

  #refuseOverLimit(link: Link): void {
    const now = Date.now();
    if (now - this.#lastRefusalLog >= REFUSAL_LOG_INTERVAL_S * 1000) {
      const more = this.#refusalsNotLogged;
      log(
        `register: refused ${joinHostPort(link.getRemoteIp(), link.getRemotePort())}: ` +
          `maxConnections (${this.maxConnections}) reached` +
          (more > 0 ? `; ${more} more refused since the last such line` : ''),
      );
      this.#lastRefusalLog = now;
      this.#refusalsNotLogged = 0;
    } else {
      this.#refusalsNotLogged++;
    }
    link.destroy();
  }

  #addressList(): string[] {
    const addresses: string[] = [];
    for (const peer of this.#peers.values()) {
      if (peer.role === 'gateway') addresses.push(peer.address);
    }
    return normalizeAddresses(addresses);
  }

  /** Sends the list to every subscriber if it changed. */
  #publish(): void {
    if (this.stopping) return;
    const addresses = this.#addressList();
    if (sameAddresses(addresses, this.#published)) return;
    this.#published = addresses;
    for (const subscriber of this.#subscribers) this.#sendList(subscriber, addresses);
  }

  #sendList(peer: Peer, addresses: readonly string[]): void {
    peer.link.send(JSON.stringify({ event: 'broadcast_addresses', addresses }));
  }
}
