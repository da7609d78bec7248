import { invokeLifecycle, reportCallbackFailure } from '../../callbacks.js';
import { Worker } from '../../worker/worker.js';
import { GatewayApi } from '../api/gateway-api.js';
import type { GatewayLink } from '../api/gateway-link.js';
import { GatewayLinks } from '../api/gateway-links.js';
import { bodyMessage } from '../api/message-body.js';
import { setProcessApi } from '../api/process-api.js';
import { openRegistry, type Registry } from '../registry/registry.js';
import { decodeClientContext } from '../wire/client-context.js';
import { encodeClientId } from '../wire/client-id.js';
import { BODY_KIND_MASK, Command } from '../wire/commands.js';
import { encodeFrame, type GatewayFrame } from '../wire/frames.js';
import type { BusinessEventHandler, WebSocketHandshake } from './event-handler.js';
import { ClientContext } from './gateway-client-context.js';
import { SessionCache } from './session-cache.js';

/**
 * Runs the application: links to every gateway the registry lists, takes
 * the client events they route here, calls `eventHandler`, and gives the
 * process the Gateway API (`Gateway.sendToAll(...)`). A reload replaces
 * business workers one at a time without dropping a client: a stopping
 * worker tells each gateway it leaves, handles every event the gateway
 * routed to it before answering, finishes its running handlers, then exits.
 */
export class BusinessWorker extends Worker {
  /** `host:port` of the register, a list of them, `text://host:port`, or `redis://host:port[/db]`. */
  registerAddress: string | string[] = '127.0.0.1:1236';
  /** Shared by every process of the cluster; proven by HMAC, never sent. */
  secretKey = '';
  eventHandler: BusinessEventHandler<BusinessWorker> = {};
  /** Bytes queued towards one gateway before sends to it are refused. */
  sendToGatewayBufferSize = 10_240_000;
  /** Largest frame accepted from a gateway. */
  maxFrameSize = 10 * 1024 * 1024;
  /** Seconds a query (`getAllClientIdList`, ...) waits for each gateway. */
  queryTimeout = 5;
  /** Seconds between pings on an idle gateway link; one silent for 4 is cut and reconnected. */
  linkPingInterval = 5;

  #links: GatewayLinks | null = null;
  #api: GatewayApi | null = null;
  #registry: Registry | null = null;
  readonly #sessions = new SessionCache();
  #inFlight = 0;
  #stopped: Promise<void> | null = null;

  constructor() {
    super();
    this.name = 'BusinessWorker';
  }

  /** The Gateway API of this worker (what `Gateway.<name>` calls). */
  get api(): GatewayApi {
    if (this.#api === null) this.#setUp();
    return this.#api!;
  }

  override async run(): Promise<void> {
    if (this.#api === null) this.#setUp();
    await super.run();
    await invokeLifecycle('eventHandler.onWorkerStart', this.eventHandler.onWorkerStart, this);
    if (this.stopping) return;
    this.#registry = openRegistry({
      registerAddress: this.registerAddress,
      secretKey: this.secretKey,
      role: 'worker',
      onAddresses: (addresses) => this.#links?.update(addresses),
    });
    await this.#registry.start();
  }

  override stop(): Promise<void> {
    this.#stopped ??= this.#leave().then(async () => {
      await super.stop();
      await this.#registry?.stop();
      this.#links?.closeAll();
      setProcessApi(null);
    });
    return this.#stopped;
  }

  #setUp(): void {
    this.#links = new GatewayLinks(
      {
        role: 'worker',
        identity: `${this.name}:${this.id}`,
        secretKey: this.secretKey,
        sendBufferSize: this.sendToGatewayBufferSize,
        maxFrameSize: this.maxFrameSize,
        queryTimeout: this.queryTimeout,
        pingInterval: this.linkPingInterval,
        reconnectDelay: 1,
      },
      (link, frame) => this.#dispatch(link, frame),
    );
    this.#api = new GatewayApi(this.#links);
    setProcessApi(this.#api);
  }

  /** Leaves every gateway, then waits for the handlers still running; both within `stopTimeout`. */
  async #leave(): Promise<void> {
    const deadline = Date.now() + Worker.stopTimeout * 1000;
    await this.#registry?.stop();
    await this.#links?.leaveAll(Worker.stopTimeout * 1000);
    while (this.#inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await invokeLifecycle('eventHandler.onWorkerStop', this.eventHandler.onWorkerStop, this);
  }

  #dispatch(link: GatewayLink, frame: GatewayFrame): void {
    const handler = this.eventHandler;
    let callback: ((client: ClientContext, arg: never) => unknown) | undefined;
    let name: string;
    switch (frame.cmd) {
      case Command.ON_CONNECT:
        callback = handler.onConnect;
        name = 'onConnect';
        break;
      case Command.ON_MESSAGE:
        callback = handler.onMessage;
        name = 'onMessage';
        break;
      case Command.ON_CLOSE:
        callback = handler.onClose;
        name = 'onClose';
        break;
      case Command.ON_WEBSOCKET_CONNECT:
        callback = handler.onWebSocketConnect;
        name = 'onWebSocketConnect';
        break;
      default:
        return;
    }
    const context = decodeClientContext(frame.ext);
    const id = encodeClientId(link.idPrefix, frame.client);
    const sessionJson = this.#sessions.current(id, context.sessionVersion, context.sessionJson);
    if (frame.cmd === Command.ON_CLOSE) this.#sessions.forget(id);
    const generation = link.generation;
    if (!callback) {
      reportHandled(link, generation, frame);
      return;
    }
    const client = new ClientContext(
      this.api,
      id,
      context.remoteIp,
      context.remotePort,
      link.host,
      link.gatewayPort,
      sessionJson,
    );
    const arg =
      frame.cmd === Command.ON_MESSAGE
        ? bodyMessage(frame.flags & BODY_KIND_MASK, frame.body)
        : frame.cmd === Command.ON_WEBSOCKET_CONNECT
          ? (JSON.parse(frame.body.toString()) as WebSocketHandshake)
          : undefined;
    const done = () => this.#handled(link, generation, frame, client, context.sessionVersion);
    let result: unknown;
    try {
      result = callback.call(handler, client, arg as never);
    } catch (error) {
      this.#failed(name, client, error);
      done();
      return;
    }
    if (result instanceof Promise) {
      this.#inFlight++;
      result.then(
        () => {
          this.#inFlight--;
          done();
        },
        (error: unknown) => {
          this.#inFlight--;
          this.#failed(name, client, error);
          done();
        },
      );
    } else done();
  }

  /** After a handler: a changed session goes back to the gateway, then word that the event was handled. */
  #handled(
    link: GatewayLink,
    generation: number,
    frame: GatewayFrame,
    client: ClientContext,
    version: number,
  ): void {
    const changed = frame.cmd === Command.ON_CLOSE ? null : client.changedSession();
    if (changed !== null) {
      link.send(encodeFrame(Command.SET_SESSION, 0, frame.client, 0, changed, null));
      this.#sessions.wrote(client.id, version, changed);
    }
    reportHandled(link, generation, frame);
  }

  #failed(name: string, client: ClientContext, error: unknown): void {
    reportCallbackFailure(
      {
        describe: () => `client ${client.id} (${client.remoteIp}:${client.remotePort})`,
        onError: null,
      },
      `eventHandler.${name}`,
      error,
    );
  }
}

/**
 * Tells the gateway an event is done with, after what its handler sent (the
 * link keeps the order), so the gateway forgets it; until then it would
 * hand it to another worker if this link died. Sent on the connection the
 * event came by: over another one it could overtake the handler's output,
 * and after a reconnect the gateway has numbered other events (it handed
 * this one on when the old connection closed).
 */
function reportHandled(link: GatewayLink, generation: number, frame: GatewayFrame): void {
  if (frame.request === 0 || link.generation !== generation) return;
  link.send(encodeFrame(Command.HANDLED, 0, 0, frame.request, null, null));
}
