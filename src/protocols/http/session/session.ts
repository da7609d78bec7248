import { nodeCrypto } from '../../../builtins.js';
import { ErrorCodes, WorkermanError } from '../../../errors.js';
import { finishBeforeExit } from '../../../unfinished-work.js';
import { FileSessionHandler } from './file-session-handler.js';
import type { SessionHandler } from './session-handler.js';

/**
 * Saves still in flight, by id: a request that loads a session waits for the
 * previous request's save, so a client's next request sees its own writes.
 */
const saving = new Map<string, Promise<void>>();

/** Ids we made: 32 hex digits. Anything else from a cookie is replaced, never used as a key or a path. */
const VALID_ID = /^[a-zA-Z0-9]{16,128}$/;

/**
 * A request's session: `const session = await request.session()`.
 *
 *     session.set('user', 42);
 *     session.get('user');        // 42
 *     session.delete('user'); session.flush(); session.all();
 *
 * Data is loaded once per request and saved when the answer is sent (or by
 * `await session.save()`); values must survive JSON. After the answer is
 * sent the session is closed: a change then throws `WM_ERR_SESSION_ANSWERED`
 * (it could not be saved with its request). A stopping or reloading process
 * waits for saves under way, within `Worker.stopTimeout`.
 *
 * Settings are static: the cookie (`Session.sessionName`, lifetime, path,
 * domain, Secure, HttpOnly, SameSite), the store (`Session.handler`: files by
 * default, `RedisSessionHandler`), how long idle data lives
 * (`Session.lifetime`), and `Session.strict`.
 */
export class Session {
  /** The cookie carrying the id (the origin's `Session::$name`). */
  static sessionName = 'PHPSID';
  /**
   * Strict mode (default): a cookie's id that the store does not know (never
   * issued, expired, or emptied) is replaced by a fresh one, so nobody can
   * pick the id a victim will log in under (session fixation, OWASP). A
   * session without data is not stored, so its id is not kept either. Off,
   * any well-formed id from a cookie is adopted, as the origin does.
   */
  static strict = true;
  /** Seconds an untouched session is kept. */
  static lifetime = 1440;
  /** Cookie `Max-Age` in seconds; 0: a browser-session cookie. */
  static cookieLifetime = 0;
  static cookiePath = '/';
  static domain = '';
  static secure = false;
  static httpOnly = true;
  static sameSite: 'Strict' | 'Lax' | 'None' | '' = 'Lax';
  static handler: SessionHandler = new FileSessionHandler();
  /** One `gc` per this many saves on average (0: never). */
  static gcDivisor = 1000;

  static createId(): string {
    return nodeCrypto().randomBytes(16).toString('hex');
  }

  static isValidId(id: string | undefined): id is string {
    return id !== undefined && VALID_ID.test(id);
  }

  /** The `Set-Cookie` value for an id. */
  static cookieValue(id: string): string {
    let text = `${Session.sessionName}=${id}; Path=${Session.cookiePath}`;
    if (Session.cookieLifetime > 0) text += `; Max-Age=${Session.cookieLifetime}`;
    if (Session.domain) text += `; Domain=${Session.domain}`;
    if (Session.secure) text += '; Secure';
    if (Session.httpOnly) text += '; HttpOnly';
    if (Session.sameSite) text += `; SameSite=${Session.sameSite}`;
    return text;
  }

  /** Reads a session's data from the handler. */
  static async load(id: string): Promise<Session> {
    await saving.get(id);
    const raw = await Session.handler.read(id);
    let data: Record<string, unknown> = {};
    if (raw !== '') {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed !== null && typeof parsed === 'object') data = parsed as Record<string, unknown>;
      } catch {
        // Unreadable data starts an empty session under the same id.
      }
    }
    return new Session(id, data, raw);
  }

  #id: string;
  #data: Record<string, unknown>;
  #stored: string;
  #dirty = false;
  /** Set once its request's answer is sent: which request, for the error. */
  #answered: string | null = null;

  constructor(id: string, data: Record<string, unknown> = {}, stored = '') {
    this.#id = id;
    this.#data = data;
    this.#stored = stored;
  }

  getId(): string {
    return this.#id;
  }

  /** True when the store holds data under this id (as loaded, or as saved since). */
  isStored(): boolean {
    return this.#stored !== '';
  }

  /**
   * Called when its request's answer is sent (`request` describes it): the
   * codec saves the session then, and a later change would be lost.
   */
  close(request: string): void {
    this.#answered ??= request;
  }

  get<T = unknown>(name: string, defaultValue?: T): T | undefined {
    return (Object.hasOwn(this.#data, name) ? this.#data[name] : defaultValue) as T | undefined;
  }

  set(name: string, value: unknown): void {
    this.#assertOpen();
    this.#data[name] = value;
    this.#dirty = true;
  }

  /** Sets several values. */
  put(values: Record<string, unknown>): void {
    this.#assertOpen();
    Object.assign(this.#data, values);
    this.#dirty = true;
  }

  delete(name: string): void {
    this.#assertOpen();
    if (!Object.hasOwn(this.#data, name)) return;
    delete this.#data[name];
    this.#dirty = true;
  }

  /** Deletes several values. */
  forget(names: string | string[]): void {
    for (const name of Array.isArray(names) ? names : [names]) this.delete(name);
  }

  /** Gets a value and deletes it. */
  pull<T = unknown>(name: string, defaultValue?: T): T | undefined {
    const value = this.get(name, defaultValue);
    this.delete(name);
    return value;
  }

  all(): Record<string, unknown> {
    return { ...this.#data };
  }

  /** Deletes every value. */
  flush(): void {
    this.#assertOpen();
    this.#data = {};
    this.#dirty = true;
  }

  has(name: string): boolean {
    return (
      Object.hasOwn(this.#data, name) && this.#data[name] !== null && this.#data[name] !== undefined
    );
  }

  exists(name: string): boolean {
    return Object.hasOwn(this.#data, name);
  }

  /** Moves the data to a new id (after a login, against session fixation). */
  async regenerate(newId: string, deleteOld: boolean): Promise<void> {
    this.#assertOpen();
    const old = this.#id;
    this.#id = newId;
    this.#dirty = true;
    if (deleteOld) await Session.handler.destroy(old);
  }

  /**
   * Writes changed data, or keeps unchanged data alive; an emptied session
   * is removed. A stopping process waits for it (`Worker.stopTimeout`).
   */
  save(): Promise<void> {
    const id = this.#id;
    const done = (saving.get(id) ?? Promise.resolve()).then(() => this.#write());
    const settled = done.catch(() => {});
    saving.set(id, settled);
    finishBeforeExit(settled);
    settled.then(() => {
      if (saving.get(id) === settled) saving.delete(id);
    });
    return done;
  }

  #assertOpen(): void {
    if (this.#answered === null) return;
    throw new WorkermanError(
      ErrorCodes.SESSION_ANSWERED,
      `session changed after the answer to ${this.#answered} was sent; the change would be ` +
        'lost: change the session before connection.send() ends the answer',
    );
  }

  async #write(): Promise<void> {
    const handler = Session.handler;
    const text = JSON.stringify(this.#data);
    if (this.#dirty) {
      this.#dirty = false;
      if (text === '{}') {
        if (this.#stored !== '') await handler.destroy(this.#id);
      } else {
        await handler.write(this.#id, text, Session.lifetime);
      }
      this.#stored = text === '{}' ? '' : text;
    } else if (this.#stored !== '') {
      await handler.touch(this.#id, this.#stored, Session.lifetime);
    }
    if (Session.gcDivisor > 0 && Math.random() * Session.gcDivisor < 1) {
      await handler.gc(Session.lifetime);
    }
  }
}
