import type { TcpConnection } from '../../connection/tcp-connection.js';
import { ErrorCodes, WorkermanError } from '../../errors.js';
import type { Request } from '../../protocols/http/request.js';
import { Worker } from '../../worker/worker.js';
import type { WorkerOptions } from '../../worker/worker-options.js';
import type { GatewayApi } from '../api/gateway-api.js';
import { processApi } from '../api/process-api.js';
import { GatewayProcess } from './gateway-process.js';
import type { GatewayRouter } from './router.js';

type Api = GatewayApi;
type Loose = TcpConnection<unknown, unknown>;
type LooseCallback = ((connection: Loose, ...rest: unknown[]) => unknown) | null | undefined;

/**
 * Holds client connections on any scheme (`websocket://`, `text://`, a
 * registered codec), forwards their events to business workers and carries
 * out what the business workers send back. One internal listener per
 * process at `lanIp:startPort + id`, announced to the register. A reload
 * leaves gateways running (`reloadable = false`), so reloading the
 * application drops no client.
 *
 * The statics are the Gateway API (`Gateway.sendToAll(...)`), usable inside
 * business workers; elsewhere, a `GatewayClient` offers the same methods.
 */
export class Gateway<
  Address extends string = string,
  Options extends WorkerOptions = WorkerOptions,
> extends Worker<Address, Options> {
  /** The address business workers and GatewayClients reach this gateway at (never 0.0.0.0). */
  lanIp = '127.0.0.1';
  /** Internal port of process `id` is `startPort + id`; 0: any free port (announced to the register). */
  startPort = 2000;
  /** Bind the internal listener here instead of `lanIp` (behind NAT or in a container). */
  innerListen = '';
  /** `host:port` of the register, a list of them, `text://host:port`, or `redis://host:port[/db]`. */
  registerAddress: string | string[] = '127.0.0.1:1236';
  /** Shared by every process of the cluster; proven by HMAC, never sent. */
  secretKey = '';
  /** Seconds between heartbeat checks of the clients; 0: none. */
  pingInterval = 0;
  /** Checks a client may stay silent through before it is closed; 0: only send `pingData`. */
  pingNotResponseLimit = 0;
  /** Sent to every client at each check; '' sends nothing (clients ping by themselves). */
  pingData = '';
  /** Which business worker a client's events go to (see `GatewayRouter`). */
  router: GatewayRouter = 'sticky';
  /** Bytes queued towards one business worker; past it, its clients are not read until it drains. */
  sendToWorkerBufferSize = 10_240_000;
  /** Largest frame accepted from a business worker or GatewayClient. */
  maxFrameSize = 10 * 1024 * 1024;
  /** Largest session, as JSON, kept for one client. */
  maxSessionSize = 64 * 1024;
  /** Seconds client events are held while no business worker is connected; then their clients are closed. */
  workerWaitTimeout = 10;
  /**
   * Client events held while no business worker is connected, and per worker
   * while its link is full (`sendToWorkerBufferSize`); a client whose event
   * does not fit is closed.
   */
  maxWaitingEvents = 10_000;
  /** Seconds an internal link may stay silent (its peer pings) before it is cut. */
  linkTimeout = 30;
  /** Seconds a new internal link has to prove the secret key. */
  authTimeout = 10;
  /**
   * After a round of business workers' commands, the next waits this many
   * times as long as the round took (its client writes included), so what
   * arrives meanwhile reaches each client in one write: a heavy fan-out
   * writes each client several messages at once, while a round of
   * microseconds (a reply to one client) makes no wait (under 1 ms is not
   * waited). 0: every poll's commands at once.
   */
  writeBatchRatio = 1;
  /** Milliseconds that wait lasts at most. */
  maxWriteBatchDelay = 50;
  /** Bytes of commands gathered during the wait past which they are carried out at once. */
  maxWriteBatchBytes = 1024 * 1024;

  #process: GatewayProcess | null = null;
  #stopped: Promise<void> | null = null;

  constructor(socketName?: Address, options?: Options) {
    super(socketName, options);
    this.name = 'Gateway';
    this.reloadable = false;
  }

  /** This process's gateway state (internal address, client count); `null` before `run`. */
  get gatewayProcess(): GatewayProcess | null {
    return this.#process;
  }

  override async run(): Promise<void> {
    if (this.onMessage !== null) {
      throw new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        `gateway "${this.name}": onMessage cannot be set; client messages go to the business workers' eventHandler.onMessage`,
      );
    }
    const gateway = new GatewayProcess(this);
    this.#process = gateway;
    const self = this as unknown as Record<string, LooseCallback>;
    const userConnect = self.onConnect;
    const userClose = self.onClose;
    const userWebSocketConnected = self.onWebSocketConnected;
    self.onConnect = (connection) => {
      gateway.clientConnected(connection);
      return userConnect?.(connection);
    };
    self.onMessage = (connection, data) => gateway.clientMessage(connection, data);
    self.onClose = (connection) => {
      gateway.clientClosed(connection);
      return userClose?.(connection);
    };
    self.onWebSocketConnected = (connection, request) => {
      gateway.webSocketConnected(connection, request as Request);
      return userWebSocketConnected?.(connection, request);
    };
    await gateway.start();
    await super.run();
  }

  override stop(): Promise<void> {
    this.#stopped ??= super.stop().then(() => this.#process?.stop());
    return this.#stopped;
  }

  // The Gateway API, for business workers. ------------------------------------

  static sendToAll(...args: Parameters<Api['sendToAll']>) {
    return processApi().sendToAll(...args);
  }
  static sendToClient(...args: Parameters<Api['sendToClient']>) {
    return processApi().sendToClient(...args);
  }
  static closeClient(...args: Parameters<Api['closeClient']>) {
    return processApi().closeClient(...args);
  }
  static destroyClient(...args: Parameters<Api['destroyClient']>) {
    return processApi().destroyClient(...args);
  }
  static isOnline(...args: Parameters<Api['isOnline']>) {
    return processApi().isOnline(...args);
  }
  static getAllClientIdList() {
    return processApi().getAllClientIdList();
  }
  static getAllClientCount() {
    return processApi().getAllClientCount();
  }
  static getAllClientIdCount() {
    return processApi().getAllClientIdCount();
  }
  static getAllClientSessions() {
    return processApi().getAllClientSessions();
  }
  static bindUid(...args: Parameters<Api['bindUid']>) {
    return processApi().bindUid(...args);
  }
  static unbindUid(...args: Parameters<Api['unbindUid']>) {
    return processApi().unbindUid(...args);
  }
  static isUidOnline(...args: Parameters<Api['isUidOnline']>) {
    return processApi().isUidOnline(...args);
  }
  static getClientIdByUid(...args: Parameters<Api['getClientIdByUid']>) {
    return processApi().getClientIdByUid(...args);
  }
  static getUidByClientId(...args: Parameters<Api['getUidByClientId']>) {
    return processApi().getUidByClientId(...args);
  }
  static sendToUid(...args: Parameters<Api['sendToUid']>) {
    return processApi().sendToUid(...args);
  }
  static getAllUidList() {
    return processApi().getAllUidList();
  }
  static getAllUidCount() {
    return processApi().getAllUidCount();
  }
  static joinGroup(...args: Parameters<Api['joinGroup']>) {
    return processApi().joinGroup(...args);
  }
  static leaveGroup(...args: Parameters<Api['leaveGroup']>) {
    return processApi().leaveGroup(...args);
  }
  static ungroup(...args: Parameters<Api['ungroup']>) {
    return processApi().ungroup(...args);
  }
  static sendToGroup(...args: Parameters<Api['sendToGroup']>) {
    return processApi().sendToGroup(...args);
  }
  static getClientIdListByGroup(...args: Parameters<Api['getClientIdListByGroup']>) {
    return processApi().getClientIdListByGroup(...args);
  }
  static getClientCountByGroup(...args: Parameters<Api['getClientCountByGroup']>) {
    return processApi().getClientCountByGroup(...args);
  }
  static getClientSessionsByGroup(...args: Parameters<Api['getClientSessionsByGroup']>) {
    return processApi().getClientSessionsByGroup(...args);
  }
  static getUidListByGroup(...args: Parameters<Api['getUidListByGroup']>) {
    return processApi().getUidListByGroup(...args);
  }
  static getUidCountByGroup(...args: Parameters<Api['getUidCountByGroup']>) {
    return processApi().getUidCountByGroup(...args);
  }
  static getAllGroupIdList() {
    return processApi().getAllGroupIdList();
  }
  static getAllGroupUidList() {
    return processApi().getAllGroupUidList();
  }
  static getSession(...args: Parameters<Api['getSession']>) {
    return processApi().getSession(...args);
  }
  static setSession(...args: Parameters<Api['setSession']>) {
    return processApi().setSession(...args);
  }
  static updateSession(...args: Parameters<Api['updateSession']>) {
    return processApi().updateSession(...args);
  }
}
