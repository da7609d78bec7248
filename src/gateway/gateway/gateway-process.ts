import type { TcpConnection } from '../../connection/tcp-connection.js';
import { log } from '../../log.js';
import type { Request } from '../../protocols/http/request.js';
import { Timer } from '../../timer/timer.js';
import { Worker } from '../../worker/worker.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { clientIdPrefix, encodeClientId, gatewayAddress } from '../wire/client-id.js';
import { BodyKind, Command, type CommandCode } from '../wire/commands.js';
import { encodeFrame, type GatewayFrame, GatewayFrames } from '../wire/frames.js';
import { type ClientEntry, ClientTable } from './client-table.js';
import { CommandRounds } from './command-rounds.js';
import { startClientHeartbeat } from './heartbeat.js';
import { MovingClients } from './moving-clients.js';
import { PeerCommands } from './peer-commands.js';
import {
  authenticatePeer,
  challengePeer,
  cutSilentPeers,
  type Link,
  refusePeer,
} from './peer-handshake.js';
import { PeerLink } from './peer-link.js';
import { type GatewayRouter, type RoutedClient, routeEvent } from './router.js';
import { type ClientEvent, WaitingEvents } from './waiting-events.js';
import { WorkerDelivery } from './worker-delivery.js';

/** A gateway's settings, as the `Gateway` worker holds them. */
export interface GatewaySettings {
  readonly name: string;
  readonly id: number;
  readonly port: number;
  lanIp: string;
  startPort: number;
  innerListen: string;
  registerAddress: string | string[];
  secretKey: string;
  pingInterval: number;
  pingNotResponseLimit: number;
  pingData: string;
  router: GatewayRouter;
  sendToWorkerBufferSize: number;
  maxFrameSize: number;
  maxSessionSize: number;
  workerWaitTimeout: number;
  maxWaitingEvents: number;
  linkTimeout: number;
  authTimeout: number;
  writeBatchRatio: number;
  maxWriteBatchDelay: number;
  maxWriteBatchBytes: number;
}

/** The internal listener: gateway frames, a `PeerLink` per connection, this process's own port. */
function innerListener(address: string) {
  return new Worker(address, {
    protocol: GatewayFrames,
    transport: 'tcp',
    context: () => new PeerLink(),
    socket: { exclusive: true },
  });
}
type InnerListener = ReturnType<typeof innerListener>;

type Client = TcpConnection<unknown, unknown>;

/**
 * The gateway's work in one process: its clients and their uid, group and
 * session tables; the internal listener where business workers and
 * GatewayClients connect (after proving the secret key); routing each
 * client's events to a business worker; carrying out what comes back.
 */
export class GatewayProcess {
  readonly #settings: GatewaySettings;
  readonly #table = new ClientTable();
  readonly #entries = new Map<Client, ClientEntry>();
  /** Business workers that take events, by key. */
  readonly #workers = new Map<string, PeerLink>();
  readonly #waiting = new WaitingEvents();
  readonly #moving = new MovingClients();
  readonly #commands: PeerCommands;
  readonly #delivery: WorkerDelivery;
  #inner: InnerListener | null = null;
  #registry: Registry | null = null;
  #idPrefix = '';
  #timers: number[] = [];
  readonly #rounds: CommandRounds;

  constructor(settings: GatewaySettings) {
    this.#settings = settings;
    this.#commands = new PeerCommands(this.#table, () => settings.maxSessionSize);
    this.#rounds = new CommandRounds(settings, {
      command: (connection, frame) => this.#peerCommand(connection, frame),
      flushEvents: () => this.#delivery.flush(),
    });
    this.#delivery = new WorkerDelivery(this.#table, settings, (event) =>
      this.#forwardAll([event]),
    );
  }

  /** The gateway's internal address, `ip:port`, once listening. */
  get innerAddress(): string {
    const port = this.#inner?.port ?? 0;
    return gatewayAddress(this.#settings.lanIp, port);
  }

  get clientCount(): number {
    return this.#table.size;
  }

  /** Opens the internal listener and announces it to the registry. */
  async start(): Promise<void> {
    const s = this.#settings;
    const port = s.startPort === 0 ? 0 : s.startPort + s.id;
    const host = s.innerListen || s.lanIp;
    const bracketed = host.includes(':') ? `[${host}]` : host;
    const inner = innerListener(`tcp://${bracketed}:${port}`);
    inner.name = `${s.name}:inner`;
    inner.onConnect = (link) => this.#linkConnected(link);
    inner.onMessage = (link, frame) => this.#linkFrame(link, frame as GatewayFrame);
    inner.onClose = (link) => this.#linkClosed(link);
    inner.onBufferFull = (link) => {
      link.context.full = true;
      this.#delivery.updateFlow(link.context);
    };
    inner.onBufferDrain = (link) => this.#delivery.drained(link.context);
    this.#inner = inner;
    await inner.listen();
    this.#idPrefix = clientIdPrefix(s.lanIp, inner.port);
    this.#registry = openRegistry({
      registerAddress: s.registerAddress,
      secretKey: s.secretKey,
      role: 'gateway',
      announce: this.innerAddress,
    });
    await this.#registry.start();
    this.#timers.push(
      Timer.add(1, () => this.#expireWaiting()),
      Timer.add(Math.max(1, s.linkTimeout / 4), () =>
        cutSilentPeers(this.#inner?.connections.values() ?? [], s.linkTimeout),
      ),
    );
    if (s.pingInterval > 0) {
      this.#timers.push(
        startClientHeartbeat(this.#table, {
          interval: s.pingInterval,
          limit: s.pingNotResponseLimit,
          data: s.pingData,
        }),
      );
    }
  }

  /** After the clients are closed: stops announcing, then closes the internal links (flushing them). */
  async stop(): Promise<void> {
    this.#rounds.runNow();
    for (const id of this.#timers) Timer.del(id);
    this.#timers = [];
    await this.#registry?.stop();
    await this.#inner?.stop();
  }

  // Client side ---------------------------------------------------------------

  clientConnected(connection: Client): void {
    const entry = this.#table.add(connection);
    void entry.context; // built now: the address stays readable after the socket is gone
    this.#entries.set(connection, entry);
    this.#forward(entry, Command.ON_CONNECT, BodyKind.BINARY, null);
  }

  clientMessage(connection: Client, data: unknown): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    entry.pingsUnanswered = 0;
    if (typeof data === 'string') this.#forward(entry, Command.ON_MESSAGE, BodyKind.TEXT, data);
    else if (data instanceof Uint8Array) {
      this.#forward(
        entry,
        Command.ON_MESSAGE,
        BodyKind.BINARY,
        Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      );
    } else this.#forward(entry, Command.ON_MESSAGE, BodyKind.JSON, JSON.stringify(data) ?? 'null');
  }

  webSocketConnected(connection: Client, request: Request): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    const head = {
      method: request.method(),
      uri: request.uri(),
      path: request.path(),
      queryString: request.queryString(),
      query: request.get(),
      headers: request.header(),
      cookies: request.cookie(),
    };
    this.#forward(entry, Command.ON_WEBSOCKET_CONNECT, BodyKind.JSON, JSON.stringify(head));
  }

  clientClosed(connection: Client): void {
    const entry = this.#entries.get(connection);
    if (!entry) return;
    this.#entries.delete(connection);
    this.#forward(entry, Command.ON_CLOSE, BodyKind.BINARY, null);
    this.#table.remove(entry);
  }

  #forward(entry: ClientEntry, cmd: CommandCode, kind: number, body: Buffer | string | null): void {
    const previous = entry.worker as PeerLink | null;
    const link = routeEvent(
      this.#settings.router,
      this.#workers,
      entry,
      (client) => this.#describe(client),
      (error) => log(`gateway: router failed, the least busy worker is used: ${String(error)}`),
    );
    if (link === null) {
      const held = this.#waiting.push(
        { entry, cmd, kind, body, since: Date.now() },
        this.#settings.maxWaitingEvents,
      );
      if (!held) {
        log(
          `gateway: no business worker connected and ${this.#settings.maxWaitingEvents} events ` +
            `already wait (maxWaitingEvents): closing ${entry.connection.describe()}`,
        );
        entry.connection.destroy();
      }
      return;
    }
    if (this.#table.byNumber.get(entry.number) !== entry && entry.worker !== null) {
      // The client is gone (a late ON_CLOSE): the binding made for it counts nobody.
      entry.worker.boundClients--;
      entry.worker = null;
    }
    const event = { entry, cmd, kind, body };
    // A sticky client moving off a leaving worker waits until that worker is done with it.
    const moved = previous !== link && this.#settings.router !== 'random' ? previous : null;
    if (this.#moving.hold(event, moved)) return;
    if (this.#delivery.queue(link, event)) this.#rounds.scheduleEndOfPoll();
  }

  #forwardAll(events: readonly ClientEvent[]): void {
    for (const { entry, cmd, kind, body } of events) this.#forward(entry, cmd, kind, body);
  }

  #describe(entry: ClientEntry): RoutedClient {
    return {
      id: encodeClientId(this.#idPrefix, entry.number),
      remoteIp: entry.connection.getRemoteIp(),
      remotePort: entry.connection.getRemotePort(),
      uid: entry.uid,
    };
  }

  #expireWaiting(): void {
    const expired = this.#waiting.takeExpired(Date.now(), this.#settings.workerWaitTimeout * 1000);
    if (expired.length === 0) return;
    const clients = new Set(expired.map((event) => event.entry.connection));
    log(
      `gateway: no business worker connected for ${this.#settings.workerWaitTimeout} s ` +
        `(workerWaitTimeout): closing ${clients.size} client(s)`,
    );
    for (const client of clients) client.destroy();
  }

  // Internal links ------------------------------------------------------------

  #linkConnected(connection: Link): void {
    connection.context.connection = connection as TcpConnection<unknown, unknown>;
    connection.maxPackageSize = this.#settings.maxFrameSize;
    connection.maxSendBufferSize = this.#settings.sendToWorkerBufferSize;
    challengePeer(connection, this.#settings.authTimeout);
  }

  #linkFrame(connection: Link, frame: GatewayFrame): void {
    const link = connection.context;
    link.lastSeen = Date.now();
    if (!link.authenticated) {
      this.#authenticate(connection, frame);
      return;
    }
    this.#rounds.add(connection, frame);
  }

  #peerCommand(connection: Link, frame: GatewayFrame): void {
    const link = connection.context;
    switch (frame.cmd) {
      case Command.PING:
        connection.send(encodeFrame(Command.PING, 0, 0, 0, null, null));
        return;
      case Command.HANDLED: {
        const event = link.handled(frame.request);
        this.#delivery.updateFlow(link);
        if (event?.entry.unhandled === 0) {
          this.#moving.release(event.entry, (held) => this.#forwardAll([held]));
        }
        return;
      }
      case Command.LEAVING:
        link.leaving = true;
        if (this.#workers.get(link.key) === link) this.#workers.delete(link.key);
        this.#delivery.reroute(link);
        connection.send(encodeFrame(Command.LEFT, 0, 0, 0, null, null));
        return;
    }
    let known: boolean;
    try {
      known = this.#commands.execute(link, frame);
    } catch (error) {
      refusePeer(connection, `malformed command ${frame.cmd}: ${(error as Error).message}`);
      return;
    }
    if (!known) refusePeer(connection, `unknown command ${frame.cmd}`);
  }

  #authenticate(connection: Link, frame: GatewayFrame): void {
    const welcome = { gatewayPort: this.#settings.port, idPrefix: this.#idPrefix };
    if (!authenticatePeer(connection, frame, this.#settings.secretKey, welcome)) return;
    const link = connection.context;
    if (link.role !== 'worker') return;
    this.#workers.set(link.key, link);
    this.#forwardAll(this.#waiting.takeAll());
  }

  /**
   * A worker's link is gone: nothing more is routed to it, and the events
   * it had not reported handled (in flight when the link broke, or the
   * worker died), then those waiting in its backlog and for this poll's
   * write, go to the other workers in that order; its clients are read again.
   */
  #linkClosed(connection: Link): void {
    const link = connection.context;
    if (this.#workers.get(link.key) === link) this.#workers.delete(link.key);
    link.connection = null;
    const unhandled = link.takeUnhandled();
    if (unhandled.length > 0) {
      log(
        `gateway: link to business worker ${link.key} closed with ${unhandled.length} event(s) ` +
          'not handled: they go to another worker',
      );
    }
    link.backlog = [...unhandled, ...link.backlog, ...link.events];
    link.events = [];
    // Clients moving away from this link go on once what it held of theirs is rerouted.
    const moving = this.#moving.releaseFrom(link);
    this.#delivery.reroute(link);
    this.#forwardAll(moving.events);
    moving.resume();
  }
}
