import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { TcpConnection } from '../../connection/tcp-connection.js';
import type { Request } from './request.js';
import { Response } from './response.js';

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
 * slash form; with it, its index file is served.
 */
export class StaticFiles {
  indexFiles: string[] = ['index.html', 'index.htm'];
  readonly #roots = new Map<string, string>();
  #defaultRoot: string | null;

  constructor(defaultRoot: string | null = null) {
    this.#defaultRoot = defaultRoot === null ? null : resolve(defaultRoot);
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
  async serve(connection: TcpConnection<unknown, unknown>, request: Request): Promise<boolean> {
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
    if (found.redirect) {
      const query = request.queryString();
      const location = `${request.path()}/${query === '' ? '' : `?${query}`}`;
      connection.send(new Response(301, { Location: location }, ''));
      return true;
    }
    connection.send(new Response().withFile(found.file));
    return true;
  }

  async #find(
    root: string,
    rawPath: string,
  ): Promise<{ file: string; redirect: boolean } | 'refused' | null> {
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return 'refused';
    }
    if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return 'refused';
    const candidate = join(root, path);
    if (!inside(root, candidate)) return 'refused';
    const realRoot = await realpath(root).catch(() => null);
    if (realRoot === null) return null;
    const real = await realpath(candidate).catch(() => null);
    if (real === null) return null;
    if (!inside(realRoot, real)) return 'refused';
    const info = await stat(real).catch(() => null);
    if (info === null) return null;
    if (info.isFile()) return { file: real, redirect: false };
    if (!info.isDirectory()) return null;
    if (!path.endsWith('/')) return { file: real, redirect: true };
    for (const index of this.indexFiles) {
      const file = join(real, index);
      const indexReal = await realpath(file).catch(() => null);
      if (indexReal === null || !inside(realRoot, indexReal)) continue;
      const indexInfo = await stat(indexReal).catch(() => null);
      if (indexInfo?.isFile()) return { file: indexReal, redirect: false };
    }
    return null;
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
