// The origin's Worker as users know it: its properties and callbacks, one
// documented class. Its parts live beside it: the process manager's
// settings (the statics users set as `Worker.stopTimeout`) in
// process-settings.ts, held connections in held-sockets.ts, the entry point
// in entry-point.ts, stopping every worker in stop-all.ts, the typed
// options in worker-options.ts, the making of each connection in
// connection-wiring.ts.
import type { Socket as DatagramSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import { invokeLifecycle } from '../callbacks.js';
import type { Callback, ErrorCallback } from '../connection/connection.js';
import { PreparedMessage } from '../connection/prepared-message.js';
import { socketOnRead, TcpConnection } from '../connection/tcp-connection.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import { debugWorker } from '../log.js';
import type { Request } from '../protocols/http/request.js';
import type { Protocol } from '../protocols/protocol.js';
import { Protocols } from '../protocols/schemes.js';
import type { WebSocketFields } from '../protocols/websocket/websocket-types.js';
import type { TransportName } from '../transport/address.js';
import { type ListenAddress, parseAddress } from '../transport/address.js';
import type { ContextOptions } from '../transport/context-options.js';
import { reusePortFallbackReason } from '../transport/reuse-port.js';
import { describeAddress, listenStream } from '../transport/stream-server.js';
import { bindUdp } from '../transport/udp.js';
import { unfinishedWork } from '../unfinished-work.js';
import { VERSION } from '../version.js';
import { acceptConnection, type ConnectionSource, receiveDatagram } from './connection-wiring.js';
import { runEntryPoint } from './entry-point.js';
import { HeldSockets } from './held-sockets.js';
import { ProcessSettings } from './process-settings.js';
import { stopAll } from './stop-all.js';
import type {
  ConnectionFor,
  WorkerDecoded,
  WorkerEncodable,
  WorkerOptions,
  WorkerTcpConnection,
  WorkerWebSocketHook,
} from './worker-options.js';

const TRANSPORTS: readonly TransportName[] = ['tcp', 'udp', 'ssl', 'unix'];
const allWorkers: Worker[] = [];

/**
 * A listener and its callbacks: `new Worker('text://0.0.0.0:1234')`.
 *
 * The scheme picks the codec (`text`, `frame`, or a name given to
 * `Protocols.register`) or names a transport (`tcp`, `udp`, `unix`, `ssl`:
 * raw bytes). The `transport` option (or property) changes how the same codec
 * travels (`'ssl'` for TLS, `'udp'`); the `protocol` option picks another
 * codec. Given as options, the callbacks' types follow them (`WorkerOptions`).
 * A worker without an address is a plain process for timers and outbound
 * connections.
 */
export class Worker<Address extends string = string, Options extends WorkerOptions = WorkerOptions>
  extends ProcessSettings
  implements WebSocketFields<WorkerTcpConnection<Address, Options>, Request>
{
  /** Version of workerman-ts. */
  static readonly VERSION = VERSION;
  /**
   * Master side: a child of `worker` exited with `status` (exit code or signal name).
   * Master hooks never end the master: a throw or rejection is logged, and
   * `onMasterReload` / `onMasterStop` are awaited at most `stopTimeout` seconds.
   */
  static onWorkerExit:
    | ((worker: Worker, status: string, pid: number) => void | Promise<void>)
    | null = null;

  /** Shown in logs and the status table. */
  name = 'none';
  /** Processes to run for this worker (the process manager forks them). */
  count = 1;
  /** Index of this process among the worker's `count` processes: 0..count-1. */
  id = 0;
  /** The codec; `null` for raw bytes. A registered codec's name is accepted too. */
  protocol: Protocol<unknown, unknown> | string | null = null;
  transport: TransportName = 'tcp';
  /**
   * Each process opens its own listening socket with SO_REUSEPORT and the
   * kernel spreads new connections (datagrams, for UDP) over them: TCP, TLS
   * and UDP on a fixed port, Node 22.12+ / 23.1+. Elsewhere (Node 20, a
   * unix socket, port 0, a `user` and a port only root may bind) the
   * processes share one socket through node:cluster, and the master logs why.
   */
  reusePort = false;
  /** `false`: a reload leaves this worker's processes running (they only get `onWorkerReload`). */
  reloadable = true;
  /**
   * Extra Node/V8 flags for this worker's processes only, after the master's
   * own (e.g. `['--max-semi-space-size=1']`: a smaller young generation for a
   * process that holds many idle connections; see the README's gateway
   * benchmark for what it saves and costs). Read by the master at each fork.
   */
  execArgv: string[] = [];
  /** Run this worker's processes as this user / group (when started as root). */
  user = '';
  group = '';
  /** This process's live stream connections of this worker, by connection id. */
  readonly connections = new Map<number, WorkerTcpConnection<Address, Options>>();

  onWorkerStart: Callback<[worker: this]> | null = null;
  onWorkerStop: Callback<[worker: this]> | null = null;
  onWorkerReload: Callback<[worker: this]> | null = null;
  /** Stream transports only: UDP has no connection to open or close. */
  onConnect: Callback<[connection: WorkerTcpConnection<Address, Options>]> | null = null;
  onMessage: Callback<
    [connection: ConnectionFor<Address, Options>, data: WorkerDecoded<Address, Options>]
  > | null = null;
  onClose: Callback<[connection: WorkerTcpConnection<Address, Options>]> | null = null;
  onError: ErrorCallback<ConnectionFor<Address, Options>> | null = null;
  onBufferFull: Callback<[connection: WorkerTcpConnection<Address, Options>]> | null = null;
  onBufferDrain: Callback<[connection: WorkerTcpConnection<Address, Options>]> | null = null;

  // The WebSocket settings and hooks (WebSocketFields), its connections'
  // defaults. Declared, never initialised: a worker that sets none has none.
  declare onWebSocketConnect?: WorkerWebSocketHook<Address, Options, [request: Request]>;
  declare onWebSocketConnected?: WorkerWebSocketHook<Address, Options, [request: Request]>;
  declare onWebSocketPing?: WorkerWebSocketHook<Address, Options, [data: Buffer]>;
  declare onWebSocketPong?: WorkerWebSocketHook<Address, Options, [data: Buffer]>;
  declare onWebSocketClose?: WorkerWebSocketHook<Address, Options, [code: number, reason: string]>;
  declare websocketType?: string;
  declare websocketPingInterval?: number;
  declare headers?: string[] | Record<string, string>;
  declare websocketOrigin?: string;
  declare websocketClientProtocol?: string;

  readonly #socketName: string;
  readonly #address: ListenAddress | null;
  readonly #context: ContextOptions;
  readonly #makeContext: (() => object) | null;
  #server: Server | null = null;
  #datagramSocket: DatagramSocket | null = null;
  #codec: Protocol<unknown, unknown> | null = null;
  #acceptPaused = false;
  readonly #heldSockets = new HeldSockets();
  #stopping: Promise<void> | null = null;
  /** The pending or finished listen(), so concurrent calls open one socket. */
  #listening: Promise<void> | null = null;

  /**
   * `options` holds the socket and TLS context (`socket`, `ssl`) and,
   * optionally, `protocol`, `transport` and a `context` maker, which win over
   * what the address implies.
   */
  constructor(socketName?: Address, options?: Options) {
    super();
    this.#socketName = socketName ?? '';
    const given: WorkerOptions = options ?? {};
    const { protocol, transport, context, ...contextOptions } = given;
    this.#context = contextOptions;
    this.#makeContext = context ?? null;
    this.#address = socketName ? parseAddress(socketName) : null;
    if (this.#address) {
      const { scheme, transport } = this.#address;
      this.transport = transport;
      if (scheme.toLowerCase() !== transport) this.protocol = Protocols.get(scheme) ?? scheme;
    }
    if (protocol !== undefined) this.protocol = protocol;
    if (transport !== undefined) this.transport = transport;
    allWorkers.push(this as unknown as Worker);
  }

  /**
   * Runs every worker defined so far, as the command line says
   * (`node app.js start`). Call once, after defining the workers.
   */
  static runAll(): Promise<void> {
    return runEntryPoint(allWorkers);
  }

  /**
   * Stops every worker of this process (`onWorkerStop`, connections closed,
   * timers cancelled) and exits with `code`.
   */
  static stopAll(code = 0): Promise<void> {
    return stopAll(code, allWorkers);
  }

  /** Every worker defined in this process, in definition order. */
  static getAllWorkers(): readonly Worker[] {
    return allWorkers;
  }

  /** The address as given to the constructor, or `'none'`. */
  getSocketName(): string {
    return this.#socketName || 'none';
  }

  /** The listening address actually bound (port 0 resolved), or `null` before `listen`. */
  getListenAddress(): { host: string; port: number; path: string } | null {
    if (this.#datagramSocket) {
      const { address, port } = this.#datagramSocket.address();
      return { host: address, port, path: '' };
    }
    const bound = this.#server?.address();
    if (bound == null) return null;
    if (typeof bound === 'string') return { host: '', port: 0, path: bound };
    return { host: bound.address, port: bound.port, path: '' };
  }

  /** The bound port (useful with port 0); 0 before `listen` or for unix sockets. */
  get port(): number {
    return this.getListenAddress()?.port ?? 0;
  }

  /** True once `stop()` has begun. */
  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /**
   * Opens the listening socket in this process. Called by `Worker.runAll()`;
   * call it yourself for a worker created inside another worker's
   * `onWorkerStart`.
   */
  listen(): Promise<void> {
    this.#listening ??= this.#listen().catch((error: unknown) => {
      this.#listening = null;
      throw error;
    });
    return this.#listening;
  }

  async #listen(): Promise<void> {
    const address = this.#address;
    if (address === null) return;
    if (!TRANSPORTS.includes(this.transport)) {
      throw new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        `worker "${this.name}": transport must be one of ${TRANSPORTS.join(', ')}, got "${this.transport}"`,
      );
    }
    this.#codec = this.#resolveCodec();
    // Each process its own SO_REUSEPORT socket, where the address and Node
    // allow; otherwise the process manager shares one (its master logs why).
    const reusePort = this.reusePort && reusePortFallbackReason(address, this.user) === null;
    if (this.transport === 'udp') {
      const socket = await bindUdp(address, this.#context, { reusePort });
      socket.on('message', (datagram, remote) =>
        receiveDatagram(
          this as unknown as ConnectionSource,
          socket,
          datagram,
          remote,
          this.#codec,
          this.#makeContext,
        ),
      );
      socket.on('error', (error) => debugWorker('udp socket error: %s', error.message));
      this.#datagramSocket = socket;
    } else {
      const listenAs = address.transport === 'unix' ? 'unix' : this.transport;
      this.#server = await listenStream(
        address,
        listenAs as 'tcp' | 'ssl' | 'unix',
        this.#context,
        (socket) => this.#accept(socket),
        { readInto: socketOnRead, reusePort },
      );
    }
    debugWorker(
      'worker "%s" listening on %s%s',
      this.name,
      describeAddress(address),
      reusePort ? ' (own SO_REUSEPORT socket)' : '',
    );
  }

  /**
   * Sends one message to every live connection of this worker in this
   * process (except `exclude`), encoded once: every connection with the same
   * negotiated parameters is sent the same bytes (see `PreparedMessage`).
   * A connection whose send buffer is full refuses it as `send` does
   * (`onBufferFull` when it fills, `onError` with `SEND_FAIL` when it
   * refuses) and holds back no other. Returns how many connections took it.
   */
  broadcast(
    data: WorkerEncodable<Address, Options> | PreparedMessage<WorkerEncodable<Address, Options>>,
    options: { exclude?: TcpConnection<unknown, unknown> | null } = {},
  ): number {
    const message = data instanceof PreparedMessage ? data : new PreparedMessage(data);
    const exclude = options.exclude ?? null;
    let taken = 0;
    for (const connection of this.connections.values()) {
      if (connection === exclude) continue;
      if (connection.sendPrepared(message) !== false) taken++;
    }
    return taken;
  }

  /** Closes the listening socket; live connections stay. */
  async unlisten(): Promise<void> {
    this.#listening = null;
    const server = this.#server;
    const datagramSocket = this.#datagramSocket;
    this.#server = null;
    this.#datagramSocket = null;
    this.#heldSockets.destroyAll();
    // close() stops accepting at once; its callback would wait for every
    // connection to end, which is stop()'s business, not unlisten's.
    server?.close();
    if (datagramSocket) await new Promise<void>((resolve) => datagramSocket.close(() => resolve()));
  }

  /**
   * Holds new connections until `resumeAccept`: accepted sockets wait,
   * unread, at most `Worker.maxHeldConnections` of them (more are closed at
   * once) and each at most `Worker.heldConnectionTimeout` seconds.
   */
  pauseAccept(): void {
    this.#acceptPaused = true;
  }

  resumeAccept(): void {
    this.#acceptPaused = false;
    for (const socket of this.#heldSockets.release()) this.#accept(socket);
  }

  /**
   * Runs this worker in the current process: `onWorkerStart` (awaited), then
   * listens and accepts. A process takes no connection it cannot serve yet:
   * while it starts, its siblings (or, during a reload, the process it
   * replaces) take them from the shared accept queue. `onWorkerStart` may
   * call `await worker.listen()` itself (to learn a port 0's number):
   * connections accepted from then on are held until it returns.
   */
  async run(): Promise<void> {
    this.pauseAccept();
    await invokeLifecycle('onWorkerStart', this.onWorkerStart, this);
    // Asked to stop while starting: stay closed.
    if (this.stopping) return;
    await this.listen();
    this.resumeAccept();
  }

  /**
   * Stops this worker in this process: stops listening, runs `onWorkerStop`,
   * closes every connection (flushing what is queued), lets unfinished work
   * such as session saves end, and destroys the connections still open
   * after `Worker.stopTimeout` seconds (unfinished work is then abandoned).
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    await this.unlisten();
    await invokeLifecycle('onWorkerStop', this.onWorkerStop, this);
    const deadline = Date.now() + Worker.stopTimeout * 1000;
    for (const connection of this.connections.values()) connection.close();
    // Closed connections leave the map; check on a short period, as the
    // origin does, until they are all gone (and work such as session saves
    // is finished) or the deadline passes.
    while ((this.connections.size > 0 || unfinishedWork() > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const connection of this.connections.values()) {
      if (connection instanceof TcpConnection) connection.destroy();
    }
    this.connections.clear();
  }

  #resolveCodec(): Protocol<unknown, unknown> | null {
    const protocol = this.protocol;
    if (protocol === null || typeof protocol === 'object') return protocol;
    const codec = Protocols.get(protocol);
    if (codec === undefined) {
      throw new WorkermanError(
        ErrorCodes.UNKNOWN_SCHEME,
        `worker "${this.name}" (${this.getSocketName()}): no codec is registered as "${protocol}"; ` +
          `call Protocols.register('${protocol}', codec) first (registered: ${Protocols.names().join(', ')})`,
      );
    }
    this.protocol = codec;
    return codec;
  }

  #accept(socket: Socket): void {
    if (this.#acceptPaused) {
      this.#heldSockets.hold(
        socket,
        Worker.maxHeldConnections,
        Worker.heldConnectionTimeout * 1000,
      );
      return;
    }
    acceptConnection(this as unknown as ConnectionSource, socket, this.#codec, this.#makeContext);
  }
}
