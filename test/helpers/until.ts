/**
 * Polls `probe` until it gives a value other than `undefined` or `false`,
 * and resolves with it. For states another process reaches (a restarted
 * child, a status counter), where there is no event to wait for. Bounded:
 * past `limitMs` it throws, naming `what`.
 */
export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
