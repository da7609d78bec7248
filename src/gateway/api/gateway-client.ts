import { openRegistry, type Registry } from '../registry/registry.js';
import { GatewayApi } from './gateway-api.js';
import { GatewayLinks } from './gateway-links.js';

export interface GatewayClientOptions {
  /** `host:port` of the register, a list of them, `text://host:port`, or `redis://host:port[/db]`. */
  registerAddress: string | string[];
  /** The cluster's secret key; proven by HMAC, never sent. */
  secretKey?: string;
  /** Seconds the first call waits for the register's list and the links to its gateways. Default 5. */
  connectTimeout?: number;
  /** Seconds a query waits for each gateway. Default 5. */
  queryTimeout?: number;
  /** Bytes queued towards one gateway before sends to it are refused. Default 10,240,000. */
  sendBufferSize?: number;
}

/**
 * The Gateway API for any Node program outside the cluster's business
 * workers (an HTTP API, a cron job): `await client.sendToUid(uid, data)`.
 * It learns the gateways from the registry and links to each, as a
 * business worker does, but takes no client events. Call `close()` when
 * done, or the links keep the process alive.
 */
export class GatewayClient extends GatewayApi {
  readonly #links: GatewayLinks;
  readonly #registry: Registry;

  constructor(options: GatewayClientOptions) {
    const links = new GatewayLinks(
      {
        role: 'client',
        identity: '',
        secretKey: options.secretKey ?? '',
        sendBufferSize: options.sendBufferSize ?? 10_240_000,
        maxFrameSize: 64 * 1024 * 1024,
        queryTimeout: options.queryTimeout ?? 5,
        pingInterval: 5,
        reconnectDelay: 1,
      },
      () => {},
    );
    const registry = openRegistry({
      registerAddress: options.registerAddress,
      secretKey: options.secretKey ?? '',
      role: 'client',
      onAddresses: (addresses) => links.update(addresses),
    });
    // A start that fails (the Redis client package missing) fails every call with its error.
    const started = Promise.resolve().then(() => registry.start());
    started.catch(() => {});
    let firstLinks: Promise<void> | null = null;
    // The first call waits for the links; later ones use what is up.
    super(links, () => {
      firstLinks ??= started.then(() => links.whenLinked((options.connectTimeout ?? 5) * 1000));
      return firstLinks;
    });
    this.#links = links;
    this.#registry = registry;
  }

  /** Gateways linked now. */
  get gatewayCount(): number {
    return this.#links.ready().length;
  }

  /** Closes the register and gateway links (what was sent is flushed first). */
  async close(): Promise<void> {
    await this.#registry.stop();
    this.#links.closeAll();
  }
}
