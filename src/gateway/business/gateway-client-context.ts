import type { GatewayApi, GatewaySession } from '../api/gateway-api.js';
import type { ClientMessage } from '../api/message-body.js';

/**
 * The client an event is about, handed to each event handler (there is no
 * static "current client"). `session` is the gateway's copy, read when the
 * event left the gateway; changes a handler makes to it are sent back when
 * the handler returns (or its promise settles).
 */
export class ClientContext {
  readonly id: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  /** The gateway's internal address and public port. */
  readonly gatewayIp: string;
  readonly gatewayPort: number;
  readonly #api: GatewayApi;
  readonly #sessionJson: string;
  #session: GatewaySession | null = null;

  constructor(
    api: GatewayApi,
    id: string,
    remoteIp: string,
    remotePort: number,
    gatewayIp: string,
    gatewayPort: number,
    sessionJson: string,
  ) {
    this.#api = api;
    this.id = id;
    this.remoteIp = remoteIp;
    this.remotePort = remotePort;
    this.gatewayIp = gatewayIp;
    this.gatewayPort = gatewayPort;
    this.#sessionJson = sessionJson;
  }

  /** The client's session: a plain object, `{}` until something is put in it. */
  get session(): GatewaySession {
    this.#session ??=
      this.#sessionJson === '' ? {} : (JSON.parse(this.#sessionJson) as GatewaySession);
    return this.#session;
  }

  set session(value: GatewaySession) {
    this.#session = value;
  }

  /** The session's JSON when the handler changed it, else `null`. */
  changedSession(): string | null {
    if (this.#session === null) return null;
    const json = JSON.stringify(this.#session);
    const before = this.#sessionJson === '' ? '{}' : this.#sessionJson;
    return json === before ? null : json;
  }

  /** `sendToCurrentClient`. */
  send(message: ClientMessage, raw = false): Promise<void> {
    return this.#api.sendToClient(this.id, message, raw);
  }

  /** `closeCurrentClient`: closes after `message`, if given. */
  close(message?: ClientMessage, raw = false): Promise<void> {
    return this.#api.closeClient(this.id, message, raw);
  }
}
