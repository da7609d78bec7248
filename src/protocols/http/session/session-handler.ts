/**
 * Where session data lives. Data is an opaque string (the session's JSON);
 * a handler stores it under the session id and forgets it after `lifetime`
 * seconds without a write or a touch.
 */
export interface SessionHandler {
  /** The stored data, or `''` for an unknown or expired id. */
  read(id: string): Promise<string>;
  write(id: string, data: string, lifetime: number): Promise<void>;
  /** Keeps unchanged data alive for another `lifetime`. */
  touch(id: string, data: string, lifetime: number): Promise<void>;
  destroy(id: string): Promise<void>;
  /** Removes data older than `lifetime` (handlers whose store expires by itself do nothing). */
  gc(lifetime: number): Promise<void>;
}
