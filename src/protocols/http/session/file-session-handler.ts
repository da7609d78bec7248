import { nodeCrypto, nodeOs } from '../../../builtins.js';
import { ErrorCodes, WorkermanError } from '../../../errors.js';
import { privateFolderProblem } from '../../../private-folder.js';
import type { SessionHandler } from './session-handler.js';

const { lstat, mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } =
  process.getBuiltinModule('node:fs/promises');
const { join, resolve } = process.getBuiltinModule('node:path');

/**
 * Sessions as files `ses_<id>` in one folder (the origin's default). The
 * file's mtime is the last write or touch; `gc` deletes files older than the
 * lifetime, and `read` ignores them. Ids are checked by `Session` before they
 * reach a path (letters and digits only).
 *
 * Whoever can write to the folder can forge any session, so it is trusted
 * only when it is a real folder (not a symbolic link) owned by this
 * process's user and closed to group and others (mode `0700`); anything
 * else fails every call with `WM_ERR_UNSAFE_PATH`. The default folder is
 * the app's own, `<tmpdir>/workerman-ts-sessions-<uid>-<hash of the start
 * file's path>`, made with mode `0700`.
 */
export class FileSessionHandler implements SessionHandler {
  #savePath: string | undefined;
  #ready: Promise<void> | null = null;

  constructor(options: { savePath?: string } = {}) {
    this.#savePath = options.savePath;
  }

  /**
   * The folder. The default one is worked out when first needed: the
   * default handler is made at import, in processes that may never see a
   * session (and the hash of its name would load node:crypto there).
   */
  get savePath(): string {
    this.#savePath ??= defaultSavePath();
    return this.#savePath;
  }

  async read(id: string): Promise<string> {
    await this.#folder();
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
    await this.#folder();
    // Write aside, then rename: a reader never sees half a session.
    const temp = `${this.#file(id)}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, this.#file(id));
  }

  async touch(id: string, data: string, lifetime: number): Promise<void> {
    this.#lifetimeMs = lifetime * 1000;
    await this.#folder();
    const now = new Date();
    try {
      await utimes(this.#file(id), now, now);
    } catch {
      await this.write(id, data, lifetime);
    }
  }

  async destroy(id: string): Promise<void> {
    await this.#folder();
    await unlink(this.#file(id)).catch(() => {});
  }

  async gc(lifetime: number): Promise<void> {
    await this.#folder();
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

  /** Makes the folder when missing and checks it is ours alone (once; again after a failure). */
  #folder(): Promise<void> {
    this.#ready ??= trustFolder(this.savePath).catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }
}

/** The app's own folder: per user and per start file, so two apps never share sessions. */
function defaultSavePath(): string {
  const app = resolve(process.argv[1] ?? process.cwd());
  const tag = nodeCrypto().createHash('sha1').update(app).digest('hex').slice(0, 10);
  const user = process.getuid?.() ?? 'user';
  return join(nodeOs().tmpdir(), `workerman-ts-sessions-${user}-${tag}`);
}

async function trustFolder(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const problem = privateFolderProblem(await lstat(path));
  if (problem === null) return;
  throw new WorkermanError(
    ErrorCodes.UNSAFE_PATH,
    `session folder ${path} ${problem}: whoever can write there can forge sessions; ` +
      'remove it, or give FileSessionHandler a savePath of your own',
  );
}
