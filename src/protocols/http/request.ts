import { ErrorCodes, WorkermanError } from '../../errors.js';
import type { CodecConnection } from '../codec-connection.js';
import { type Fields, type FieldValue, parseCookieHeader, parseUrlEncoded } from './form-fields.js';
import { type ParsedBody, parseBody, type UploadedFile } from './request-body.js';
import type { RequestHead } from './request-head.js';
import { Session } from './session/session.js';

const EMPTY = Buffer.alloc(0);

/** How far the answer to a request has gone; the session's cookie and data depend on it. */
const Answer = {
  /** Nothing sent yet: a new session id's cookie can still go out. */
  NONE: 0,
  /** The head is out (a streamed answer): no more headers, data is saved at its end. */
  HEAD_SENT: 1,
  /** The answer is complete and the session saved with it. */
  DONE: 2,
} as const;

/**
 * An HTTP request as `onMessage` (and `onWebSocketConnect`) receives it. Only
 * the head is parsed up front; the query, cookies, body fields and uploads
 * are parsed on first use and kept.
 *
 *     worker.onMessage = (connection, request) => {
 *       request.path();               // '/search'
 *       request.get('q', '');         // from the query string
 *       request.header('user-agent'); // names are case-insensitive
 *       connection.send(`hello ${request.cookie('name', 'guest')}`);
 *     };
 */
export class Request {
  /** The connection the request arrived on (`null` for a request built by hand). */
  readonly connection: CodecConnection | null;
  readonly head: RequestHead;
  /** Free slots for the app (the origin's `$request->properties`). */
  properties: Record<string, unknown> = {};

  private readonly headBuffer: Buffer | undefined;
  private readonly body: Buffer;
  private headerMap: Record<string, string> | undefined;
  private query: Fields | undefined;
  private cookies: Record<string, string> | undefined;
  private parsedBody: ParsedBody | undefined;
  private sessionIdValue: string | undefined;
  /** The id was made for this request: nothing to read for it. */
  private sessionIdIsFresh = false;
  private sessionPromise: Promise<Session> | undefined;
  private loadedSession: Session | undefined;
  /** The session's `Set-Cookie` line for this request's answer, or `''`. */
  private sessionCookieLine = '';
  private answer: (typeof Answer)[keyof typeof Answer] = Answer.NONE;

  /**
   * `rawHead` is the head's bytes as received (rebuilt from `head` when
   * absent); `body` is the decoded body (chunked framing already removed).
   */
  constructor(
    head: RequestHead,
    connection: CodecConnection | null = null,
    rawHead?: Buffer,
    body: Buffer = EMPTY,
  ) {
    this.head = head;
    this.connection = connection;
    this.headBuffer = rawHead;
    this.body = body;
  }

  method(): string {
    return this.head.method;
  }

  /** The request-target as sent: path and query, e.g. `/a/b?c=1`. */
  uri(): string {
    return this.head.target;
  }

  /** The path without the query; for an absolute-form target (`http://host/p`) its path. */
  path(): string {
    let target = this.head.target;
    if (target.charCodeAt(0) !== 0x2f && /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(target)) {
      const slash = target.indexOf('/', target.indexOf('//') + 2);
      target = slash === -1 ? '/' : target.slice(slash);
    }
    const end = target.search(/[?#]/);
    return end === -1 ? target : target.slice(0, end);
  }

  /** The query string without `?` (and without any `#fragment`), or `''`. */
  queryString(): string {
    const target = this.head.target;
    const at = target.indexOf('?');
    if (at === -1) return '';
    const hash = target.indexOf('#', at);
    return target.slice(at + 1, hash === -1 ? undefined : hash);
  }

  /** Query fields: all of them, or one by name (`name[]` fields are lists). */
  get(): Fields;
  get(name: string): FieldValue | undefined;
  get<D>(name: string, defaultValue: D): FieldValue | D;
  get(name?: string, defaultValue?: unknown): unknown {
    this.query ??= parseUrlEncoded(this.queryString());
    if (name === undefined) return this.query;
    return this.query[name] ?? defaultValue;
  }

  /** Body fields (urlencoded, JSON or multipart): all of them, or one by name. */
  post(): Record<string, unknown>;
  post(name: string): unknown;
  post<D>(name: string, defaultValue: D): unknown;
  post(name?: string, defaultValue?: unknown): unknown {
    const fields = this.parsed().fields;
    if (name === undefined) return fields;
    return fields[name] ?? defaultValue;
  }

  /** Uploaded files of a multipart body: all of them, or one by field name. */
  file(): Record<string, UploadedFile | UploadedFile[]>;
  file(name: string): UploadedFile | UploadedFile[] | undefined;
  file(name?: string): unknown {
    const files = this.parsed().files;
    return name === undefined ? files : files[name];
  }

  /** Header values by lower-cased name; repeated fields joined with `, ` (`; ` for Cookie). */
  header(): Record<string, string>;
  header(name: string): string | undefined;
  header<D>(name: string, defaultValue: D): string | D;
  header(name?: string, defaultValue?: unknown): unknown {
    const map = this.headers();
    if (name === undefined) return map;
    return map[name.toLowerCase()] ?? defaultValue;
  }

  cookie(): Record<string, string>;
  cookie(name: string): string | undefined;
  cookie<D>(name: string, defaultValue: D): string | D;
  cookie(name?: string, defaultValue?: unknown): unknown {
    this.cookies ??= parseCookieHeader(this.headers().cookie ?? '');
    if (name === undefined) return this.cookies;
    return this.cookies[name] ?? defaultValue;
  }

  /** The `Host` header; with `withoutPort`, without `:port` (IPv6 brackets kept). */
  host(withoutPort = false): string | undefined {
    const host = this.headers().host;
    if (host === undefined || !withoutPort) return host;
    const close = host.lastIndexOf(']');
    const colon = host.lastIndexOf(':');
    return colon > close ? host.slice(0, colon) : host;
  }

  /** `'1.0'` or `'1.1'`. */
  protocolVersion(): string {
    return this.head.version;
  }

  /** The head as received (latin1), ending with the empty line. */
  rawHead(): string {
    if (this.headBuffer !== undefined) return this.headBuffer.toString('latin1');
    let text = `${this.head.method} ${this.head.target} HTTP/${this.head.version}\r\n`;
    for (const [name, value] of this.head.headers) text += `${name}: ${value}\r\n`;
    return `${text}\r\n`;
  }

  /** The body as text (UTF-8). */
  rawBody(): string {
    return this.body.toString('utf8');
  }

  /** The body's bytes. */
  rawBodyBuffer(): Buffer {
    return this.body;
  }

  toString(): string {
    return this.rawHead() + this.rawBody();
  }

  /**
   * The session id: the `Session.sessionName` cookie's when it is one of
   * ours, else a new id whose `Set-Cookie` goes out with the answer. In
   * strict mode (`Session.strict`, the default) a cookie's id counts only
   * once `await request.session()` found it in the store; before that this
   * throws `WM_ERR_SESSION_NOT_LOADED`.
   */
  sessionId(): string {
    if (this.sessionIdValue !== undefined) return this.sessionIdValue;
    const fromCookie = this.cookie(Session.sessionName);
    if (!Session.isValidId(fromCookie)) return this.issueSessionId();
    if (Session.strict) {
      throw new WorkermanError(
        ErrorCodes.SESSION_NOT_LOADED,
        `${this.describe()}: in strict mode (Session.strict) the cookie's session id is ` +
          'checked with the store by `await request.session()`; call it before request.sessionId()',
      );
    }
    this.sessionIdValue = fromCookie;
    return fromCookie;
  }

  /**
   * The session, loaded from `Session.handler` once per request and saved
   * when the answer is sent. Loading it after the answer was sent rejects
   * with `WM_ERR_SESSION_ANSWERED`.
   */
  session(): Promise<Session> {
    if (this.sessionPromise === undefined && this.answer === Answer.DONE) {
      return Promise.reject(this.answeredError('loaded'));
    }
    this.sessionPromise ??= this.loadSession();
    return this.sessionPromise;
  }

  /**
   * Gives the session a new id (keeping its data); `deleteOld` removes the
   * old id's data. Call it before the answer's head is sent: the new id
   * travels in its `Set-Cookie`.
   */
  async sessionRegenerateId(deleteOld = false): Promise<string> {
    const session = await this.session();
    const id = this.issueSessionId();
    await session.regenerate(id, deleteOld);
    return id;
  }

  /**
   * Header lines this request adds to its answer (the session's
   * `Set-Cookie`): the codec takes them once, as the answer's head is built.
   */
  takeResponseHeaders(): string {
    if (this.answer === Answer.NONE) this.answer = Answer.HEAD_SENT;
    const lines = this.sessionCookieLine;
    this.sessionCookieLine = '';
    return lines;
  }

  /**
   * The answer is complete: saves the session this request loaded, and
   * closes it to later changes. The codec calls it once per answer.
   */
  saveSession(): Promise<void> | null {
    this.answer = Answer.DONE;
    if (this.sessionPromise === undefined) return null;
    const description = this.describe();
    // Closed at once when loaded, so a change right after send() throws
    // instead of racing the save.
    this.loadedSession?.close(description);
    return this.sessionPromise.then((session) => {
      session.close(description);
      return session.save();
    });
  }

  private async loadSession(): Promise<Session> {
    let session: Session | undefined;
    if (this.sessionIdValue === undefined) {
      const fromCookie = this.cookie(Session.sessionName);
      if (Session.isValidId(fromCookie)) {
        const stored = await Session.load(fromCookie);
        // Another call may have settled the id meanwhile (sessionId() out of strict mode).
        if (this.sessionIdValue === undefined && (stored.isStored() || !Session.strict)) {
          this.sessionIdValue = fromCookie;
        }
        if (this.sessionIdValue === fromCookie) session = stored;
      }
      if (this.sessionIdValue === undefined) this.issueSessionId();
    }
    const id = this.sessionIdValue as string;
    session ??= this.sessionIdIsFresh ? new Session(id) : await Session.load(id);
    this.loadedSession = session;
    return session;
  }

  /** A new id for this request's session; its cookie goes out with the answer. */
  private issueSessionId(): string {
    if (this.connection !== null && this.answer !== Answer.NONE) {
      throw this.answeredError('given a new id (its cookie cannot be sent any more)');
    }
    const id = Session.createId();
    this.sessionIdValue = id;
    this.sessionIdIsFresh = true;
    // On an http:// connection the codec takes it with the answer's head;
    // elsewhere (a WebSocket handshake's request) nothing takes it.
    if (this.connection !== null) {
      this.sessionCookieLine = `Set-Cookie: ${Session.cookieValue(id)}\r\n`;
    }
    return id;
  }

  private answeredError(what: string): WorkermanError {
    return new WorkermanError(
      ErrorCodes.SESSION_ANSWERED,
      `${this.describe()}: the session was ${what} after the answer was sent; ` +
        'use the session before connection.send() ends the answer',
    );
  }

  /** `GET /path on <connection>`, for error messages. */
  private describe(): string {
    const where = this.connection === null ? '' : ` on ${this.connection.describe()}`;
    return `${this.head.method} ${this.path()}${where}`;
  }

  private headers(): Record<string, string> {
    if (this.headerMap !== undefined) return this.headerMap;
    const map: Record<string, string> = Object.create(null);
    for (const [name, value] of this.head.headers) {
      const previous = map[name];
      if (previous === undefined) map[name] = value;
      else map[name] = `${previous}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
    this.headerMap = map;
    return map;
  }

  private parsed(): ParsedBody {
    this.parsedBody ??= parseBody(this.headers()['content-type'] ?? '', this.body);
    return this.parsedBody;
  }
}
