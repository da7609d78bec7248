import {
  mkdir,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionHandler } from './session-handler.js';

/**
 * Sessions as files `ses_<id>` in one directory (the origin's default). The
 * file's mtime is the last write or touch; `gc` deletes files older than the
 * lifetime, and `read` ignores them. Ids are checked by `Session` before they
 * reach a path (letters and digits only).
 */
export class FileSessionHandler implements SessionHandler {
  readonly savePath: string;
  #ready: Promise<unknown> | null = null;

  constructor(options: { savePath?: string } = {}) {
    this.savePath = options.savePath ?? join(tmpdir(), 'workerman-sessions');
  }

  async read(id: string): Promise<string> {
    const file = this.#file(id);
    try {
      const [info, data] = await Promise.all([stat(file), readFile(file, 'utf8')]);
      if (info.mtimeMs + this.#lifetimeMs < Date.now()) return '';
      return data;
    } catch {
      return '';
    }
  }

  async write(id: string, data: string, lifetime: number): Promise<void> {
    this.#lifetimeMs = lifetime * 1000;
    await this.#mkdir();
    // Write aside, then rename: a reader never sees half a session.
    const temp = `${this.#file(id)}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, this.#file(id));
  }

  async touch(id: string, data: string, lifetime: number): Promise<void> {
    this.#lifetimeMs = lifetime * 1000;
    const now = new Date();
    try {
      await utimes(this.#file(id), now, now);
    } catch {
      await this.write(id, data, lifetime);
    }
  }

  async destroy(id: string): Promise<void> {
    await unlink(this.#file(id)).catch(() => {});
  }

  async gc(lifetime: number): Promise<void> {
    const names = await readdir(this.savePath).catch(() => [] as string[]);
    const oldest = Date.now() - lifetime * 1000;
    for (const name of names) {
      if (!name.startsWith('ses_')) continue;
      const file = join(this.savePath, name);
      const info = await stat(file).catch(() => null);
      if (info !== null && info.mtimeMs < oldest) await unlink(file).catch(() => {});
    }
  }

  /** Set from the last write; reads of older files count as expired. */
  #lifetimeMs = 1440 * 1000;

  #file(id: string): string {
    return join(this.savePath, `ses_${id}`);
  }

  #mkdir(): Promise<unknown> {
    this.#ready ??= mkdir(this.savePath, { recursive: true, mode: 0o700 });
    return this.#ready;
  }
}
