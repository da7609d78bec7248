import { log } from '../../log.js';
import { importOptional } from '../../store/optional-package.js';
import {
  normalizeAddresses,
  type RegisterRole,
  sameAddresses,
} from '../register/register-messages.js';
import { type AddressListener, notifyAddresses } from './notify-addresses.js';
import type { RedisRegistryAddress } from './redis-registry-address.js';
import {
  ANNOUNCE_SCRIPT,
  parseEntries,
  READ_SCRIPT,
  type RegistryKeys,
  registryKeys,
  signEntry,
  trustedEntries,
  WITHDRAW_SCRIPT,
} from './redis-registry-entries.js';

/** The part of an `ioredis` connection the registry uses. */
export interface RegistryRedisConnection {
  readonly status: string;
  eval(script: string, numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
}

type RedisConstructor = new (options: Record<string, unknown>) => RegistryRedisConnection;

export interface RedisRegistryOptions {
  address: RedisRegistryAddress;
  secretKey: string;
  role: RegisterRole;
  /** Role `gateway`: its internal `ip:port`. */
  announce?: string;
  onAddresses?: AddressListener;
}

/** Waited for after a reader's expiry check falls due, so the entry is surely gone. */
const EXPIRY_MARGIN_MS = 50;
/** The most a clean stop waits for Redis to take the entry away (it expires anyway). */
const STOP_WAIT_MS = 1000;
/** Reconnect attempts back off to this delay, so a Redis that is back is seen within it. */
const MAX_RETRY_DELAY_MS = 1000;

/**
 * The registry on Redis (see redis-registry-entries.ts for the keys). A
 * gateway writes its entry with an expiry and refreshes it every ttl/3;
 * business workers and GatewayClients subscribe to the channel, read the
 * whole list when a change is announced, and read it again when the
 * soonest entry falls due (at most every ttl/2), which is how a gateway
 * killed without a clean stop leaves the list: within `ttl` of its last
 * refresh, plus one read.
 *
 * Redis going away changes nothing in the cluster: readers keep the last
 * list (so no gateway link is dropped), gateways keep serving; the outage
 * and the recovery are each logged once, and ioredis reconnects. When
 * Redis is back, each gateway writes its entry at once (an empty Redis has
 * none), and for one `ttl` readers only add gateways: a gateway missing
 * then may just not have reconnected yet. A gateway that died during the
 * outage leaves the list at the end of that grace.
 *
 * Expiries are found by reading, not by keyspace notifications
 * (`__keyevent@db__:expired`): those need `CONFIG SET notify-keyspace-events`,
 * a server-wide switch managed Redis services often refuse, and Redis sends
 * the event when it evicts the key, which may be well after its expiry.
 */
export class RedisRegistry {
  readonly #options: RedisRegistryOptions;
  readonly #keys: RegistryKeys;
  readonly #ttl: number;
  #commands: RegistryRedisConnection | null = null;
  #subscriber: RegistryRedisConnection | null = null;
  #addresses: string[] = [];
  #started: Promise<void> | null = null;
  #stopped = false;
  #everReady = false;
  #downSince: number | null = null;
  #lastError = '';
  /** Until then, entries missing from a read stay listed (Redis just came back). */
  #graceUntil = 0;
  #timer: NodeJS.Timeout | null = null;
  #busy = false;
  #again = false;
  #problem = '';
  readonly #refusedShown = new Set<string>();

  constructor(options: RedisRegistryOptions) {
    this.#options = options;
    this.#keys = registryKeys(options.address.prefix);
    this.#ttl = options.address.ttlMs;
  }

  get addresses(): readonly string[] {
    return this.#addresses;
  }

  /** Imports ioredis (`WM_ERR_MISSING_PACKAGE` without it) and connects; Redis being down is no error. */
  start(): Promise<void> {
    this.#started ??= this.#open();
    return this.#started;
  }

  /** A gateway takes its entry away (announced as "down"); then both connections close. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#started?.catch(() => {});
    if (this.#timer) clearTimeout(this.#timer);
    const commands = this.#commands;
    const { announce } = this.#options;
    if (commands?.status === 'ready' && announce !== undefined) {
      const { members, entryPrefix, channel } = this.#keys;
      await bounded(commands.eval(WITHDRAW_SCRIPT, 1, members, entryPrefix, announce, channel));
    }
    await Promise.all([this.#commands, this.#subscriber].map(close));
  }

  async #open(): Promise<void> {
    const { Redis } = await importOptional<{ Redis: RedisConstructor }>(
      'ioredis',
      'The redis registry (registerAddress redis://...)',
    );
    if (this.#stopped) return;
    const { address, role } = this.#options;
    const settings = {
      host: address.host,
      port: address.port,
      db: address.db,
      username: address.username,
      password: address.password,
      connectionName: `workerman-${role}`,
      // Nothing waits in a queue for a Redis that is down: the next
      // refresh or read is sent when it is back, and a command on a dying
      // connection fails within the timeout instead of hanging.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
      commandTimeout: Math.max(200, Math.floor(this.#ttl / 3)),
      retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RETRY_DELAY_MS),
    };
    const commands = new Redis(settings);
    this.#commands = commands;
    commands.on('ready', () => this.#ready());
    commands.on('error', (error) => this.#lost(error.message));
    commands.on('close', () => this.#lost(this.#lastError || 'connection closed'));
    if (role === 'gateway') return;
    const subscriber = new Redis(settings);
    this.#subscriber = subscriber;
    subscriber.on('error', () => {}); // the commands connection reports the outage
    subscriber.on('message', (channel) => {
      if (channel === this.#keys.channel) void this.#sync();
    });
    subscriber.on('ready', () => {
      // Subscribed first, then read: no change falls between the two.
      subscriber.subscribe(this.#keys.channel).then(
        () => this.#sync(),
        (error: unknown) => this.#report('subscribing', error),
      );
    });
  }

  #ready(): void {
    if (this.#stopped) return;
    const shown = this.#options.address.shown;
    if (this.#downSince !== null) {
      const seconds = ((Date.now() - this.#downSince) / 1000).toFixed(1);
      log(
        `redis registry: ${shown} is ${this.#everReady ? 'back' : 'reachable'} after ${seconds} s`,
      );
      if (this.#everReady) this.#graceUntil = Date.now() + this.#ttl;
    }
    this.#everReady = true;
    this.#downSince = null;
    this.#lastError = '';
    void this.#sync();
  }

  #lost(reason: string): void {
    this.#lastError = reason;
    if (this.#stopped || this.#downSince !== null) return;
    this.#downSince = Date.now();
    const { address, role } = this.#options;
    const keeping =
      role === 'gateway'
        ? `clients and links go on; this gateway announces itself when Redis is ${this.#everReady ? 'back' : 'reachable'}`
        : `keeping the last list (${this.#addresses.length} gateway(s)) and every link`;
    log(
      `redis registry: ${this.#everReady ? 'lost' : 'cannot reach'} ${address.shown} ` +
        `(${reason}); ${keeping}; reconnecting`,
    );
  }

  /**
   * Refreshes this gateway's entry, or reads the whole list, then sets the
   * timer for the next time. One at a time: asked for while one runs, it
   * runs again right after. While Redis is down nothing is sent and no
   * timer is set; the connection's `ready` starts it again.
   */
  async #sync(): Promise<void> {
    if (this.#stopped || this.#commands?.status !== 'ready') return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    let next: number;
    try {
      next = this.#options.role === 'gateway' ? await this.#announce() : await this.#read();
      this.#problem = '';
    } catch (error) {
      this.#report(this.#options.role === 'gateway' ? 'announcing' : 'reading the list', error);
      next = this.#ttl / 3;
    } finally {
      this.#busy = false;
    }
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#again) {
      this.#again = false;
      void this.#sync();
      return;
    }
    this.#timer = setTimeout(() => void this.#sync(), Math.max(10, next));
    this.#timer.unref();
  }

  /** Writes or refreshes this gateway's entry; the next refresh is due in ttl/3. */
  async #announce(): Promise<number> {
    const address = this.#options.announce as string;
    const { members, entryPrefix, channel } = this.#keys;
    const signature = signEntry(this.#options.secretKey, address);
    await this.#commands?.eval(
      ANNOUNCE_SCRIPT,
      1,
      members,
      entryPrefix,
      address,
      signature,
      this.#ttl,
      channel,
    );
    return this.#ttl / 3;
  }

  /** Reads the whole list; the next read is due when the soonest entry expires, at most in ttl/2. */
  async #read(): Promise<number> {
    const { members, entryPrefix } = this.#keys;
    const reply = await this.#commands?.eval(READ_SCRIPT, 1, members, entryPrefix);
    const { trusted, refused } = trustedEntries(parseEntries(reply), this.#options.secretKey);
    this.#reportRefused(refused);
    let next = this.#ttl / 2;
    for (const entry of trusted) {
      if (entry.msLeft >= 0) next = Math.min(next, entry.msLeft + EXPIRY_MARGIN_MS);
    }
    const now = Date.now();
    const grace = now < this.#graceUntil;
    if (grace) next = Math.min(next, this.#graceUntil - now);
    this.#apply(
      trusted.map((entry) => entry.address),
      grace,
    );
    return next;
  }

  #apply(listed: string[], keepMissing: boolean): void {
    const next = normalizeAddresses(keepMissing ? [...listed, ...this.#addresses] : listed);
    if (sameAddresses(next, this.#addresses)) return;
    this.#addresses = next;
    notifyAddresses(this.#options.onAddresses, next, 'redis registry');
  }

  /** Entries not signed with this cluster's key: each address logged once (a bounded memory of them). */
  #reportRefused(refused: string[]): void {
    for (const address of refused) {
      if (this.#refusedShown.has(address)) continue;
      if (this.#refusedShown.size >= 1000) this.#refusedShown.clear();
      this.#refusedShown.add(address);
      log(
        `redis registry: ignoring the entry of ${JSON.stringify(address)} in ${this.#options.address.shown}: ` +
          'not a host:port signed with this cluster’s secretKey (another cluster sharing the prefix, or a forged entry)',
      );
    }
  }

  /** A failing command while connected (no permission, a read-only replica): logged when it changes. */
  #report(doing: string, error: unknown): void {
    if (this.#downSince !== null || this.#stopped) return; // the outage is logged already
    const message = `redis registry: ${doing} on ${this.#options.address.shown} failed: ${(error as Error)?.message ?? String(error)}`;
    if (message === this.#problem) return;
    this.#problem = message;
    log(message);
  }
}

/** Waits for `work`, at most STOP_WAIT_MS; its failure is ignored (a stop goes on). */
async function bounded(work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise((resolve) => {
      timer = setTimeout(resolve, STOP_WAIT_MS);
    }),
  ]);
  clearTimeout(timer);
}

/** QUIT when connected (bounded), then stop reconnecting for good. */
async function close(connection: RegistryRedisConnection | null): Promise<void> {
  if (connection === null) return;
  if (connection.status === 'ready') await bounded(connection.quit());
  connection.disconnect();
}
