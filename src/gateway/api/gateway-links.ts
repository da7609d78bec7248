import type { GatewayFrame } from '../wire/frames.js';
import { GatewayLink, type LinkSettings } from './gateway-link.js';

/**
 * The links of one process (a business worker or a GatewayClient) to every
 * gateway the registry lists: opened for new addresses, closed for
 * addresses that left the list, reconnected in between.
 */
export class GatewayLinks {
  readonly #links = new Map<string, GatewayLink>();
  readonly #settings: LinkSettings;
  readonly #onEvent: (link: GatewayLink, frame: GatewayFrame) => void;
  #readyWaiters: (() => void)[] = [];
  #listed = false;

  constructor(settings: LinkSettings, onEvent: (link: GatewayLink, frame: GatewayFrame) => void) {
    this.#settings = settings;
    this.#onEvent = onEvent;
  }

  /** The registry's current list of gateway addresses. */
  update(addresses: readonly string[]): void {
    const wanted = new Set(addresses);
    for (const [address, link] of this.#links) {
      if (!wanted.has(address)) {
        link.close();
        this.#links.delete(address);
      }
    }
    for (const address of wanted) {
      if (!this.#links.has(address)) {
        this.#links.set(
          address,
          new GatewayLink(address, this.#settings, this.#onEvent, () => this.#wakeWaiters()),
        );
      }
    }
    this.#listed = true;
    this.#wakeWaiters();
  }

  /** The link to the gateway at `address`, when it is up. */
  get(address: string): GatewayLink | undefined {
    const link = this.#links.get(address);
    return link?.ready ? link : undefined;
  }

  /** Every link that is up. */
  ready(): GatewayLink[] {
    return [...this.#links.values()].filter((link) => link.ready);
  }

  /** How many gateways are listed, up or not. */
  get listed(): number {
    return this.#links.size;
  }

  /**
   * Resolves once a registry answered and every listed gateway is linked,
   * or after `timeoutMs` (a listed gateway may be down): then the links
   * that are up serve.
   */
  whenLinked(timeoutMs: number): Promise<void> {
    if (this.#allLinked()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#readyWaiters = this.#readyWaiters.filter((waiter) => waiter !== check);
        resolve();
      };
      const check = () => {
        if (this.#allLinked()) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#readyWaiters.push(check);
    });
  }

  /** Tells every gateway this worker stops; resolves when all answered or after `timeoutMs`. */
  async leaveAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.#links.values()].map((link) => link.leave(timeoutMs)));
  }

  closeAll(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
  }

  #allLinked(): boolean {
    if (!this.#listed) return false;
    for (const link of this.#links.values()) if (!link.ready) return false;
    return true;
  }

  #wakeWaiters(): void {
    for (const waiter of [...this.#readyWaiters]) waiter();
  }
}
