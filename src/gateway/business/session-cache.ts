/**
 * A business worker's own session writes that the gateway has not yet
 * applied. Each event brings the session as the gateway holds it and the
 * count of changes it applied (its version); a worker that wrote `n`
 * sessions based on version `v` knows its writes are all in once an event
 * shows version `v + n` or later. Until then, its own latest write is the
 * truth, so a second message handled before the first write came back
 * sees it too. Entries live only while writes are in flight.
 */
export class SessionCache {
  readonly #pending = new Map<string, { basedOn: number; writes: number; json: string }>();

  /** The session JSON a handler for `clientId` starts from. */
  current(clientId: string, version: number, json: string): string {
    const pending = this.#pending.get(clientId);
    if (pending === undefined) return json;
    // Versions are u32 and wrap: compare the distance, not the values.
    if ((version - pending.basedOn) >>> 0 < pending.writes) return pending.json;
    this.#pending.delete(clientId);
    return json;
  }

  /** A handler wrote `json` for a client whose event carried `version`. */
  wrote(clientId: string, version: number, json: string): void {
    const pending = this.#pending.get(clientId);
    if (pending) {
      pending.writes++;
      pending.json = json;
    } else this.#pending.set(clientId, { basedOn: version, writes: 1, json });
  }

  forget(clientId: string): void {
    this.#pending.delete(clientId);
  }
}
