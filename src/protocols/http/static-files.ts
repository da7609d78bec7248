import { ErrorCodes, WorkermanError } from '../../errors.js';
import type { StreamCodecConnection } from '../codec-connection.js';
import type { Request } from './request.js';
import { Response } from './response.js';

const { realpath, stat } = process.getBuiltinModule('node:fs/promises');
const { isAbsolute, join, posix, relative, resolve, sep } = process.getBuiltinModule('node:path');

/**
 * Serves files from a directory per host name, before the app's routes:
 *
 *     const files = new StaticFiles('/srv/public');     // the default root
 *     files.addRoot('docs.example.com', '/srv/docs');
 *     worker.onMessage = async (connection, request) => {
 *       if (await files.serve(connection, request)) return;
 *       connection.send(routeToApp(request));
 *     };
 *
 * A path never leaves its root: it is percent-decoded once and normalised
 * (`..`, `%2e%2e`, `%2f` cannot climb out), NUL bytes and backslashes are
 * refused, and symbolic links are followed only when their target lies in
 * the root. A directory without a trailing slash is redirected (301) to the
 * slash form of its normalised path (never to `//host/…`, which a browser
 * would take for another site); with it, its index file is served.
 *
 * Dot files and dot folders (`/.env`, `/.git/config`, `/a/.ssh/b`) are not
 * served unless `dotfiles` says so: every segment of the path asked for and
 * of the path a symbolic link leads to is checked.
 */
export class StaticFiles {
  indexFiles: string[] = ['index.html', 'index.htm'];
  readonly #roots = new Map<string, string>();
  #defaultRoot: string | null;
  #dotfiles: DotfilesPolicy = 'ignore';

  constructor(defaultRoot: string | null = null, options: StaticFilesOptions = {}) {
    this.#defaultRoot = defaultRoot === null ? null : resolve(defaultRoot);
    if (options.dotfiles !== undefined) this.dotfiles = options.dotfiles;
    if (options.indexFiles !== undefined) this.indexFiles = [...options.indexFiles];
  }

  /**
   * What a path with a segment starting with `.` gets: `'ignore'` (the
   * default) passes it to the app as if no file were there, `'deny'` answers
   * 403, `'allow'` serves it (for a root that holds only public files, e.g.
   * one serving `/.well-known/`).
   */
  get dotfiles(): DotfilesPolicy {
    return this.#dotfiles;
  }

  set dotfiles(policy: DotfilesPolicy) {
    if (!DOTFILES_POLICIES.includes(policy)) {
      throw new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        `StaticFiles.dotfiles must be one of ${DOTFILES_POLICIES.join(', ')}, got ${String(policy)}`,
      );
    }
    this.#dotfiles = policy;
  }

  /** Files for requests whose `Host` (without port, case-insensitive) is `host`. */
  addRoot(host: string, dir: string): this {
    this.#roots.set(host.toLowerCase(), resolve(dir));
    return this;
  }

  /** The root for requests of any other host. */
  setDefaultRoot(dir: string): this {
    this.#defaultRoot = resolve(dir);
    return this;
  }

  /**
   * Answers `request` with a file when one matches (true); false when there
   * is none, for the app to answer. Only GET and HEAD are served.
   */
  async serve(connection: StreamCodecConnection, request: Request): Promise<boolean> {
    const method = request.method();
    if (method !== 'GET' && method !== 'HEAD') return false;
    const host = (request.host(true) ?? '').toLowerCase();
    const root = this.#roots.get(host) ?? this.#defaultRoot;
    if (root === null) return false;
    const found = await this.#find(root, request.path());
    if (found === null) return false;
    if (found === 'refused') {
      connection.send(new Response(403, {}, '<h1>403 Forbidden</h1>'));
      return true;
    }
    if ('redirect' in found) {
      // The location is rebuilt from the normalised path, so it is always
      // one absolute path on this host (RFC 3986 §4.2: `//x` names a host).
      const query = request.queryString();
      const location = `${found.redirect}/${query === '' ? '' : `?${query}`}`;
      connection.send(new Response(301, { Location: location }, ''));
      return true;
    }
    connection.send(new Response().withFile(found.file));
    return true;
  }

  async #find(
    root: string,
    rawPath: string,
  ): Promise<{ file: string } | { redirect: string } | 'refused' | null> {
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return 'refused';
    }
    if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return 'refused';
    const candidate = join(root, path);
    if (!inside(root, candidate)) return 'refused';
    // `//a/../b/` is `/b/`: repeated slashes collapse, dot segments resolve.
    const normal = posix.normalize(path);
    const dotted = this.#dotfilesAnswer(normal);
    if (dotted !== undefined) return dotted;
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot === null) return null;
    const real = await realpath(candidate).catch(() => null);
    if (real === null) return null;
    if (!inside(realRoot, real)) return 'refused';
    const realDotted = this.#dotfilesAnswer(relative(realRoot, real).split(sep).join('/'));
    if (realDotted !== undefined) return realDotted;
    const info = await stat(real).catch(() => null);
    if (info === null) return null;
    if (info.isFile()) return { file: real };
    if (!info.isDirectory()) return null;
    if (!normal.endsWith('/')) return { redirect: encodePath(normal) };
    for (const index of this.indexFiles) {
      const file = join(real, index);
      const indexReal = await realpath(file).catch(() => null);
      if (indexReal === null || !inside(realRoot, indexReal)) continue;
      const indexRelative = relative(realRoot, indexReal).split(sep).join('/');
      if (this.#dotfilesAnswer(indexRelative) !== undefined) continue;
      const indexInfo = await stat(indexReal).catch(() => null);
      if (indexInfo?.isFile()) return { file: indexReal };
    }
    return null;
  }

  /** For a path with a dot segment: null (ignore) or 'refused' (deny); undefined when it may be served. */
  #dotfilesAnswer(path: string): null | 'refused' | undefined {
    if (this.#dotfiles === 'allow' || !path.split('/').some((segment) => segment.startsWith('.'))) {
      return undefined;
    }
    return this.#dotfiles === 'deny' ? 'refused' : null;
  }
}

export type DotfilesPolicy = 'ignore' | 'deny' | 'allow';
const DOTFILES_POLICIES: readonly DotfilesPolicy[] = ['ignore', 'deny', 'allow'];

export interface StaticFilesOptions {
  /** Dot files and folders: `'ignore'` (default), `'deny'` (403) or `'allow'`. */
  dotfiles?: DotfilesPolicy;
  /** Names tried in a directory asked for with its slash (default `index.html`, `index.htm`). */
  indexFiles?: readonly string[];
}

/** A decoded path as a URL path again: each segment percent-encoded, slashes kept. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
