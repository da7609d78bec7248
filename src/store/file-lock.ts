import { nodeCrypto } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';

const { readFile, stat, unlink, writeFile } = process.getBuiltinModule('node:fs/promises');

/**
 * Mutual exclusion for the file store's read-modify-write steps, among the
 * processes of one machine: a lock is a file created with `wx` (O_EXCL, so
 * exactly one creator wins) that holds its owner's pid and a random token.
 * Within one process the callers of a lock wait in line on a promise chain,
 * so only one of them polls the file.
 *
 * A holder that died leaves its lock behind. A lock is stale when its pid
 * is no longer alive (one machine, so the pid means something), or when it
 * is older than `staleMs` (a holder stuck that long: the work under a lock
 * is one read and one rename). Two waiters may find the same stale lock;
 * were both to delete it by name, the second would delete the lock the next
 * owner had just taken. So breaking takes a lock of its own (`.break`) and
 * deletes only a lock that still holds the token it judged stale.
 */
export class FileLocks {
  readonly timeoutMs: number;
  readonly staleMs: number;
  #tails = new Map<string, Promise<void>>();

  constructor(timeoutMs: number, staleMs: number) {
    this.timeoutMs = timeoutMs;
    this.staleMs = staleMs;
  }

  /** Runs `work` while holding the lock file `path`. */
  async with<T>(path: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(path) ?? Promise.resolve();
    let done = (): void => {};
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(path, tail);
    await previous;
    try {
      const token = await this.#acquire(path);
      try {
        return await work();
      } finally {
        await this.#release(path, token);
      }
    } finally {
      done();
      if (this.#tails.get(path) === tail) this.#tails.delete(path);
    }
  }

  async #acquire(path: string): Promise<string> {
    const token = `${process.pid} ${nodeCrypto().randomUUID()}`;
    const deadline = Date.now() + this.timeoutMs;
    let pause = 1;
    for (;;) {
      try {
        await writeFile(path, token, { flag: 'wx', mode: 0o600 });
        return token;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (await this.#breakIfStale(path)) continue;
      if (Date.now() > deadline) {
        const holder = await readFile(path, 'utf8').catch(() => '?');
        throw new WorkermanError(
          ErrorCodes.TIMEOUT,
          `file store: lock ${path} still held after ${this.timeoutMs} ms (lockTimeoutMs) by pid ${holder.split(' ')[0]}`,
        );
      }
      // Back off with jitter, so the waiters of two processes do not poll in step.
      await new Promise((resolve) => setTimeout(resolve, pause * (1 + Math.random())));
      pause = Math.min(pause * 2, 20);
    }
  }

  async #release(path: string, token: string): Promise<void> {
    // Only our own: a lock broken as stale may already be someone else's.
    if ((await readFile(path, 'utf8').catch(() => '')) === token) await unlinkQuietly(path);
  }

  /** True when the lock at `path` is gone or was removed as stale. */
  async #breakIfStale(path: string): Promise<boolean> {
    let holder: string;
    let age: number;
    try {
      [holder, age] = await Promise.all([
        readFile(path, 'utf8'),
        stat(path).then((info) => Date.now() - info.mtimeMs),
      ]);
    } catch {
      return true; // released meanwhile
    }
    // An empty file is a lock being written: only its age can make it stale.
    const pid = Number.parseInt(holder.split(' ')[0] ?? '', 10);
    const dead = pid > 0 && !isAlive(pid);
    if (!dead && age <= this.staleMs) return false;

    const breaker = `${path}.break`;
    try {
      await writeFile(breaker, String(process.pid), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another waiter is breaking it; a breaker that died doing so is cleared by age.
      const breakerAge = await stat(breaker).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (breakerAge > this.staleMs) await unlinkQuietly(breaker);
      return false;
    }
    try {
      if ((await readFile(path, 'utf8').catch(() => null)) === holder) await unlinkQuietly(path);
    } finally {
      await unlinkQuietly(breaker);
    }
    return true;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes `path`; one already gone is fine. */
export async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
