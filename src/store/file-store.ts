import { nodeCrypto, nodeOs } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import { privateFolderProblem } from '../private-folder.js';
import { FileLocks, unlinkQuietly } from './file-lock.js';
import { KeyValueStore, notACounter } from './key-value-store.js';
import type { StoreLimits } from './store.js';

const { lstat, mkdir, readdir, readFile, rename, stat, writeFile } =
  process.getBuiltinModule('node:fs/promises');
const { join, resolve } = process.getBuiltinModule('node:path');

export interface FileStoreOptions extends StoreLimits {
  /**
   * The folder of the store, made with mode 0700 when missing and refused
   * (`WM_ERR_UNSAFE_PATH`) unless it is a real folder of this user closed to
   * others. Default: `<tmpdir>/workerman-ts-store-<uid>-<hash of the start
   * file's path>`, one per app, shared by its worker processes.
   */
  path?: string;
  /** How long an operation waits for a key's lock before `WM_ERR_TIMEOUT`. Default 10,000 ms. */
  lockTimeoutMs?: number;
  /** A lock older than this is taken as left by a stuck holder and broken. Default 30,000 ms. */
  lockStaleMs?: number;
}

/**
 * Keys as files in one private folder, for one machine: the default
 * driver, safe for the several worker processes of an app.
 *
 * - A key's file is named by the SHA-256 of the full key, so no key, however
 *   made (`../`, `/`, NUL, 250 bytes of UTF-8), reaches outside the folder
 *   or past a file-name limit. The file holds a header line with the key and
 *   its expiry, then the value's JSON text.
 * - Writes go to a temporary file that is renamed over the key's file:
 *   rename is atomic, so a reader sees the old value or the new, never
 *   half of one, and reads take no lock.
 * - Every write (set, delete, increment, compareAndSet) holds the key's
 *   lock file (`FileLocks`), so a read-modify-write of one process cannot
 *   interleave with a write of another: increments are never lost, a
 *   compare-and-set wins once. Locks are per key, so unrelated keys never
 *   wait on each other; the alternative, one writer process the others send
 *   to, would need a process the store does not own.
 * - Expired values read as missing and are deleted when read (under the
 *   lock, and only if still expired); `keys()` and `sweep()` delete those
 *   they pass, and temporary files a dead writer left.
 */
export class FileStore extends KeyValueStore {
  readonly driver = 'file' as const;
  readonly path: string;
  readonly #locks: FileLocks;
  #ready: Promise<void> | null = null;

  constructor(options: FileStoreOptions = {}) {
    super(options);
    this.path = options.path ?? defaultStorePath();
    this.#locks = new FileLocks(options.lockTimeoutMs ?? 10_000, options.lockStaleMs ?? 30_000);
  }

  /** Deletes expired values and stale temporary files; returns how many values it deleted. */
  async sweep(): Promise<number> {
    let deleted = 0;
    await this.#scan(
      async () => {},
      () => {
        deleted++;
      },
    );
    return deleted;
  }

  protected async readText(key: string): Promise<string | undefined> {
    await this.#folder();
    const entry = await this.#read(key);
    if (entry === undefined) return undefined;
    if (isExpired(entry.expires)) {
      await this.#deleteIfExpired(key);
      return undefined;
    }
    return entry.text;
  }

  protected async writeText(key: string, text: string, ttlSeconds: number): Promise<void> {
    await this.#folder();
    await this.#locks.with(this.#file(key, 'lock'), () =>
      this.#write(key, text, expiryOf(ttlSeconds)),
    );
  }

  protected async deleteKey(key: string): Promise<boolean> {
    await this.#folder();
    return this.#locks.with(this.#file(key, 'lock'), async () => {
      const entry = await this.#read(key);
      if (entry === undefined) return false;
      await unlinkQuietly(this.#file(key));
      return !isExpired(entry.expires);
    });
  }

  protected async incrementKey(key: string, by: number): Promise<number> {
    await this.#folder();
    return this.#locks.with(this.#file(key, 'lock'), async () => {
      const entry = await this.#read(key);
      const live = entry !== undefined && !isExpired(entry.expires) ? entry : undefined;
      let current = 0;
      if (live !== undefined) {
        current = Number(live.text);
        // Number('') and Number(' 1') are numbers too; a counter's text is its digits.
        if (!Number.isSafeInteger(current) || String(current) !== live.text) {
          throw notACounter(this.driver, key);
        }
      }
      const next = current + by;
      if (!Number.isSafeInteger(next)) throw notACounter(this.driver, key);
      await this.#write(key, String(next), live?.expires ?? 0);
      return next;
    });
  }

  protected async swapText(
    key: string,
    expected: string | undefined,
    next: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    await this.#folder();
    return this.#locks.with(this.#file(key, 'lock'), async () => {
      const entry = await this.#read(key);
      const current = entry !== undefined && !isExpired(entry.expires) ? entry.text : undefined;
      if (current !== expected) return false;
      await this.#write(key, next, expiryOf(ttlSeconds));
      return true;
    });
  }

  protected async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    await this.#scan(async (key) => {
      if (key.startsWith(prefix)) keys.push(key);
    });
    return keys;
  }

  protected async closeBackend(): Promise<void> {}

  /**
   * Visits every live key; deletes expired ones (`onDelete`) and temporary
   * files older than the stale-lock age (their writer died before renaming).
   */
  async #scan(visit: (key: string) => Promise<void>, onDelete = (): void => {}): Promise<void> {
    await this.#folder();
    for (const name of await readdir(this.path)) {
      const file = join(this.path, name);
      if (name.endsWith('.tmp')) {
        const info = await stat(file).catch(() => null);
        if (info !== null && Date.now() - info.mtimeMs > this.#locks.staleMs)
          await unlinkQuietly(file);
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const head = await readFile(file, 'utf8').then(parseHeader, () => undefined);
      if (head === undefined) continue;
      if (!isExpired(head.expires)) await visit(head.key);
      else if (await this.#deleteIfExpired(head.key)) onDelete();
    }
  }

  async #deleteIfExpired(key: string): Promise<boolean> {
    return this.#locks.with(this.#file(key, 'lock'), async () => {
      const entry = await this.#read(key);
      if (entry === undefined || !isExpired(entry.expires)) return false;
      await unlinkQuietly(this.#file(key));
      return true;
    });
  }

  async #read(key: string): Promise<Entry | undefined> {
    let content: string;
    try {
      content = await readFile(this.#file(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const head = parseHeader(content);
    // Another key with the same SHA-256 would be news; still, never answer for it.
    if (head === undefined || head.key !== key) return undefined;
    return { expires: head.expires, text: content.slice(content.indexOf('\n') + 1) };
  }

  async #write(key: string, text: string, expires: number): Promise<void> {
    const temp = this.#file(
      key,
      `${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`,
    );
    // JSON.stringify escapes newlines, so the first one ends the header.
    await writeFile(temp, `${JSON.stringify({ key, expires })}\n${text}`, { mode: 0o600 });
    try {
      await rename(temp, this.#file(key));
    } catch (error) {
      await unlinkQuietly(temp);
      throw error;
    }
  }

  #file(key: string, suffix = 'json'): string {
    return join(
      this.path,
      `${nodeCrypto().createHash('sha256').update(key).digest('hex')}.${suffix}`,
    );
  }

  /** Makes the folder when missing and checks it is ours alone (once; again after a failure). */
  #folder(): Promise<void> {
    this.#ready ??= trustFolder(this.path).catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }
}

interface Entry {
  /** Epoch milliseconds, 0 for never. */
  expires: number;
  text: string;
}

function parseHeader(content: string): { key: string; expires: number } | undefined {
  try {
    const head = JSON.parse(content.slice(0, content.indexOf('\n'))) as {
      key?: unknown;
      expires?: unknown;
    };
    if (typeof head.key !== 'string' || typeof head.expires !== 'number') return undefined;
    return { key: head.key, expires: head.expires };
  } catch {
    return undefined;
  }
}

function expiryOf(ttlSeconds: number): number {
  return ttlSeconds === 0 ? 0 : Date.now() + ttlSeconds * 1000;
}

function isExpired(expires: number): boolean {
  return expires !== 0 && expires <= Date.now();
}

/** The app's own folder: per user and per start file, so two apps never share a store. */
function defaultStorePath(): string {
  const app = resolve(process.argv[1] ?? process.cwd());
  const tag = nodeCrypto().createHash('sha1').update(app).digest('hex').slice(0, 10);
  return join(nodeOs().tmpdir(), `workerman-ts-store-${process.getuid?.() ?? 'user'}-${tag}`);
}

async function trustFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const problem = privateFolderProblem(await lstat(path));
  if (problem === null) return;
  throw new WorkermanError(
    ErrorCodes.UNSAFE_PATH,
    `store folder ${path} ${problem}: whoever can write there can change the app's data; ` +
      'remove it, or give the file store a path of your own',
  );
}
