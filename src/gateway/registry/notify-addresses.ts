import { log } from '../../log.js';

/** What a registry calls with the gateway list, each time it changes. */
export type AddressListener = (addresses: string[]) => void | Promise<void>;

/**
 * Hands a registry's new gateway list to `onAddresses` (a copy: the
 * listener may keep or change it). A throw or a rejection is logged with
 * its stack and goes no further: a failing listener must not stop the
 * registry from delivering the next list.
 */
export function notifyAddresses(
  onAddresses: AddressListener | undefined,
  addresses: readonly string[],
  who: string,
): void {
  if (onAddresses === undefined) return;
  const report = (error: unknown) =>
    log(`${who}: onAddresses failed: ${(error as Error)?.stack ?? String(error)}`);
  try {
    const result = onAddresses([...addresses]);
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}
