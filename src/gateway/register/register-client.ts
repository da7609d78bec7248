import { ErrorCodes, WorkermanError } from '../../errors.js';
import { type AddressListener, notifyAddresses } from '../registry/notify-addresses.js';
import { RegisterLink } from './register-link.js';
import {
  isHostPort,
  normalizeAddresses,
  type RegisterRole,
  sameAddresses,
} from './register-messages.js';

export type { RegisterRole } from './register-messages.js';

/** `new RegisterClient(options)`. */
export interface RegisterClientOptions {
  /** `host:port` (or `text://host:port`) of a register, or several for redundancy. */
  registerAddress: string | readonly string[];
  /** The cluster's shared secret (the registers' `secretKey`). */
  secretKey: string;
  /** `gateway` announces itself; `worker` and `client` receive the gateway list. */
  role: RegisterRole;
  /** Role `gateway` (required): its internal `ip:port`, re-announced on every reconnect. */
  announce?: string;
  /** Roles `worker` / `client`: the union of every register's list, each time it changes. */
  onAddresses?: AddressListener;
  /** Seconds before reconnecting to a register that went away; doubles while it stays down. Default 1. */
  reconnectDelay?: number;
  /** The most the reconnect delay grows to, in seconds. Default 10. */
  maxReconnectDelay?: number;
  /** Seconds between pings on each link (keeps NAT and firewall state); 0: none. Default 25. */
  pingInterval?: number;
  /** Bytes of one line from a register (a list of many gateways). Default 1 MiB. */
  maxPackageSize?: number;
}

const ROLES: readonly RegisterRole[] = ['gateway', 'worker', 'client'];

/**
 * A process's side of the registry: one link to each register, kept up with
 * backoff. A gateway announces its internal address on each; a business
 * worker or GatewayClient gets `addresses`, the union of the lists of all
 * registers, and `onAddresses` once per actual change.
 *
 * A register that goes away keeps its last list in the union until it is
 * back and sends a fresh one: a register restart says nothing about the
 * gateways, which are still there, so business workers keep their links to
 * them. The cost: a gateway that dies while its only register is down stays
 * listed until that register returns (connecting to it fails meanwhile).
 */
export class RegisterClient {
  readonly #links: RegisterLink[];
  readonly #onAddresses: RegisterClientOptions['onAddresses'];
  #addresses: string[] = [];
  #started = false;
  #stopped = false;

  constructor(options: RegisterClientOptions) {
    const settings = checkOptions(options);
    this.#onAddresses = options.onAddresses;
    this.#links = settings.registers.map(
      (address) => new RegisterLink({ ...settings, address, onList: () => this.#listChanged() }),
    );
  }

  /** The gateway addresses known now: the union of every register's last list, sorted. */
  get addresses(): readonly string[] {
    return this.#addresses;
  }

  /** Connects to every register. Once; a stopped client does not start again. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    for (const link of this.#links) link.start();
  }

  /** Closes every link and cancels every timer; nothing reconnects after. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#links.map((link) => link.stop()));
  }

  #listChanged(): void {
    const lists: string[][] = [];
    for (const link of this.#links) if (link.list !== null) lists.push(link.list);
    const union = normalizeAddresses(lists.flat());
    if (sameAddresses(union, this.#addresses)) return;
    this.#addresses = union;
    if (!this.#stopped) notifyAddresses(this.#onAddresses, union, 'register client');
  }
}

interface CheckedOptions {
  registers: string[];
  secretKey: string;
  role: RegisterRole;
  announce: string;
  reconnectDelay: number;
  maxReconnectDelay: number;
  pingInterval: number;
  maxPackageSize: number;
}

/** Every option checked at once: one WM_ERR_INVALID_OPTION that lists each problem. */
function checkOptions(options: RegisterClientOptions): CheckedOptions {
  const problems: string[] = [];
  const given = options.registerAddress;
  const list = typeof given === 'string' ? [given] : Array.isArray(given) ? given : [];
  const registers = normalizeAddresses(
    list.map((entry: unknown) =>
      typeof entry === 'string' ? entry.replace(/^text:\/\//i, '') : '',
    ),
  );
  if (registers.length === 0) problems.push('registerAddress must name at least one register');
  for (const address of registers) {
    if (!isHostPort(address))
      problems.push(
        `registerAddress ${JSON.stringify(address)} is not host:port or text://host:port`,
      );
  }
  if (typeof options.secretKey !== 'string') problems.push('secretKey must be a string');
  if (!ROLES.includes(options.role)) problems.push(`role must be one of ${ROLES.join(', ')}`);
  const announce = options.announce ?? '';
  if (options.role === 'gateway' && !isHostPort(announce)) {
    problems.push(
      `role gateway needs announce as its internal ip:port, got ${JSON.stringify(announce)}`,
    );
  }
  if (options.role !== 'gateway' && options.announce !== undefined) {
    problems.push('announce is for role gateway only');
  }
  const seconds = (name: string, value: number | undefined, fallback: number, zeroOk: boolean) => {
    const v = value ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (v === 0 && !zeroOk)) {
      problems.push(`${name} must be seconds ${zeroOk ? '>= 0' : '> 0'}, got ${String(v)}`);
    }
    return v;
  };
  const reconnectDelay = seconds('reconnectDelay', options.reconnectDelay, 1, false);
  const maxReconnectDelay = seconds('maxReconnectDelay', options.maxReconnectDelay, 10, false);
  if (maxReconnectDelay < reconnectDelay)
    problems.push('maxReconnectDelay must be >= reconnectDelay');
  const pingInterval = seconds('pingInterval', options.pingInterval, 25, true);
  const maxPackageSize = options.maxPackageSize ?? 1024 * 1024;
  if (!Number.isSafeInteger(maxPackageSize) || maxPackageSize < 512) {
    problems.push(
      `maxPackageSize must be a whole number of bytes >= 512, got ${String(maxPackageSize)}`,
    );
  }
  if (problems.length > 0) {
    throw new WorkermanError(ErrorCodes.INVALID_OPTION, `RegisterClient: ${problems.join('; ')}`);
  }
  return {
    registers,
    secretKey: options.secretKey,
    role: options.role,
    announce,
    reconnectDelay,
    maxReconnectDelay,
    pingInterval,
    maxPackageSize,
  };
}
