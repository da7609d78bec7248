import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import {
  Chunk,
  FileSessionHandler,
  Response as HttpResponse,
  RedisSessionHandler,
  type Request,
  Session,
  type SessionHandler,
} from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { listenWorker } from '../../helpers/listen.js';
import { startRedis } from '../../helpers/redis-server.js';
import { TestClient } from '../../helpers/test-client.js';

/** A counter app: /inc counts per session, /login regenerates the id, /logout flushes. */
async function counterApp(t: import('node:test').TestContext) {
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = async (connection, request: Request) => {
      const session = await request.session();
      if (request.path() === '/login') {
        const old = request.sessionId();
        const fresh = await request.sessionRegenerateId(true);
        session.set('user', 'ann');
        connection.send(JSON.stringify({ old, fresh }));
        return;
      }
      if (request.path() === '/logout') session.flush();
      else session.set('count', (session.get<number>('count') ?? 0) + 1);
      connection.send(JSON.stringify(session.all()));
    };
  });
  return `http://127.0.0.1:${worker.port}`;
}

function cookieOf(response: Response): string {
  const [cookie = ''] = response.headers.getSetCookie();
  return cookie.split(';')[0]!;
}

async function exercise(t: import('node:test').TestContext, handler: SessionHandler) {
  const saved = {
    handler: Session.handler,
    secure: Session.secure,
    lifetime: Session.cookieLifetime,
  };
  t.after(() => {
    Session.handler = saved.handler;
    Session.secure = saved.secure;
    Session.cookieLifetime = saved.lifetime;
  });
  Session.handler = handler;
  Session.secure = true;
  Session.cookieLifetime = 3600;
  const base = await counterApp(t);
  const first = await fetch(`${base}/inc`);
  const setCookie = first.headers.getSetCookie()[0] ?? '';
  assert.match(
    setCookie,
    /^PHPSID=[0-9a-f]{32}; Path=\/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax$/,
  );
  assert.deepEqual(await first.json(), { count: 1 });
  const cookie = cookieOf(first);
  const second = await fetch(`${base}/inc`, { headers: { Cookie: cookie } });
  assert.deepEqual(second.headers.getSetCookie(), [], 'a known id is not sent again');
  assert.deepEqual(await second.json(), { count: 2 });
  // Another client has its own session; a forged id (a path) gets a new one.
  const other = await fetch(`${base}/inc`, { headers: { Cookie: 'PHPSID=../../etc/passwd' } });
  assert.deepEqual(await other.json(), { count: 1 });
  assert.notEqual(cookieOf(other), 'PHPSID=../../etc/passwd');

  const login = await fetch(`${base}/login`, { headers: { Cookie: cookie } });
  const ids = (await login.json()) as { old: string; fresh: string };
  assert.equal(`PHPSID=${ids.old}`, cookie);
  assert.equal(cookieOf(login), `PHPSID=${ids.fresh}`);
  const afterLogin = await fetch(`${base}/inc`, { headers: { Cookie: `PHPSID=${ids.fresh}` } });
  assert.deepEqual(await afterLogin.json(), { count: 3, user: 'ann' });
  const oldId = await fetch(`${base}/inc`, { headers: { Cookie: cookie } });
  assert.deepEqual(await oldId.json(), { count: 1 }, 'the old id lost its data');

  const logout = await fetch(`${base}/logout`, { headers: { Cookie: `PHPSID=${ids.fresh}` } });
  assert.deepEqual(await logout.json(), {});
  // Once the logout's save is done, nothing is left under the id.
  assert.equal((await Session.load(ids.fresh)).isStored(), false);
  assert.equal(await handler.read(ids.fresh), '');
}

test('file sessions: cookie attributes, persistence, regeneration, flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wm-sessions-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await exercise(t, new FileSessionHandler({ savePath: dir }));
  assert.ok(readdirSync(dir).every((name) => name.startsWith('ses_')));
});

/** Every session key under `prefix` expires within the lifetime (none is kept for ever). */
async function assertExpiring(
  keys: string[],
  ttl: (key: string) => Promise<number>,
): Promise<void> {
  assert.ok(keys.length >= 2, `session keys: ${keys.join(', ')}`);
  for (const key of keys) {
    const seconds = await ttl(key);
    assert.ok(seconds > 0 && seconds <= Session.lifetime, `${key} ttl ${seconds}`);
  }
}

test('Redis sessions through ioredis on a real redis-server, with a TTL of the lifetime', async (t) => {
  const port = await startRedis(t);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  t.after(() => client.quit());
  await exercise(t, new RedisSessionHandler(client, { prefix: 'test_' }));
  await assertExpiring(await client.keys('test_*'), (key) => client.ttl(key));
});

test('Redis sessions through node-redis (the redis package) on a real redis-server, with a TTL of the lifetime', async (t) => {
  const port = await startRedis(t);
  const client = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } });
  // The server may stop first at the end of the test (hooks run in order).
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.destroy());
  await exercise(t, new RedisSessionHandler(client, { prefix: 'test_' }));
  await assertExpiring(await client.keys('test_*'), (key) => client.ttl(key));
});

test('RedisSessionHandler refuses a client it cannot set an expiry with', () => {
  const notAClient = { get: async () => null, expire: async () => 1, del: async () => 1 };
  assert.throws(
    () => new RedisSessionHandler(notAClient as never),
    /ioredis client \(setex\) or a redis/,
  );
});

/** What the store holds for `id` once its saves under way are done (null: nothing). */
async function storedData(id: string): Promise<Record<string, unknown> | null> {
  const session = await Session.load(id);
  return session.isStored() ? session.all() : null;
}

/** Sets `Session.handler` to a store in a private folder, restoring the settings after. */
function privateStore(t: import('node:test').TestContext): FileSessionHandler {
  const dir = mkdtempSync(join(tmpdir(), 'wm-sessions-'));
  const saved = { handler: Session.handler, strict: Session.strict };
  t.after(() => {
    Session.handler = saved.handler;
    Session.strict = saved.strict;
    rmSync(dir, { recursive: true, force: true });
  });
  const handler = new FileSessionHandler({ savePath: join(dir, 'store') });
  Session.handler = handler;
  return handler;
}

test('strict sessions: an id the store does not know is replaced by a fresh one (no fixation)', async (t) => {
  privateStore(t);
  const planted = 'a'.repeat(32);
  const errors: string[] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = async (connection, request: Request) => {
      if (request.path() === '/id-first') {
        try {
          request.sessionId();
        } catch (error) {
          errors.push((error as { code: string }).code);
        }
      }
      const session = await request.session();
      if (request.path() === '/login') session.set('user', 'ann');
      connection.send(JSON.stringify({ id: request.sessionId(), data: session.all() }));
    };
  });
  const base = `http://127.0.0.1:${worker.port}`;
  // The attacker's id, never issued: the victim logs in under a fresh one.
  const login = await fetch(`${base}/login`, { headers: { Cookie: `PHPSID=${planted}` } });
  const body = (await login.json()) as { id: string; data: unknown };
  assert.notEqual(body.id, planted);
  assert.equal(cookieOf(login), `PHPSID=${body.id}`);
  assert.equal(await storedData(planted), null, 'nothing stored under the planted id');
  assert.deepEqual(await storedData(body.id), { user: 'ann' });
  // The attacker's cookie sees nothing of it.
  const attacker = await fetch(`${base}/`, { headers: { Cookie: `PHPSID=${planted}` } });
  assert.deepEqual(((await attacker.json()) as { data: unknown }).data, {});
  // The id the server issued is kept, with no new cookie.
  const again = await fetch(`${base}/`, { headers: { Cookie: `PHPSID=${body.id}` } });
  assert.deepEqual(await again.json(), { id: body.id, data: { user: 'ann' } });
  assert.deepEqual(again.headers.getSetCookie(), []);
  // sessionId() cannot vouch for a cookie's id before the store was asked.
  await fetch(`${base}/id-first`, { headers: { Cookie: `PHPSID=${body.id}` } });
  assert.deepEqual(errors, ['WM_ERR_SESSION_NOT_LOADED']);

  // Out of strict mode (the origin's way), a well-formed id is adopted.
  Session.strict = false;
  const lax = await fetch(`${base}/id-first`, { headers: { Cookie: `PHPSID=${planted}` } });
  assert.equal(((await lax.json()) as { id: string }).id, planted);
  assert.deepEqual(lax.headers.getSetCookie(), []);
  assert.equal(errors.length, 1);
});

test('a session touched after its answer was sent is an error; its cookie never rides on the next answer', async (t) => {
  privateStore(t);
  const outcomes: string[] = [];
  const outcome = (what: string) => (error: unknown) => {
    outcomes.push(`${what}: ${(error as { code?: string }).code ?? String(error)}`);
  };
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = async (connection, request: Request) => {
      switch (request.path()) {
        case '/late-load': {
          connection.send('answered first');
          await request
            .session()
            .then(() => outcomes.push('late load: loaded'), outcome('late load'));
          return;
        }
        case '/late-change': {
          const session = await request.session();
          session.set('before', 1);
          connection.send('answered');
          try {
            session.set('after', 2);
          } catch (error) {
            outcome('late change')(error);
          }
          await request.sessionRegenerateId().catch(outcome('late regenerate'));
          return;
        }
        case '/stream': {
          // A streamed answer: its head is out, its end not yet.
          connection.send(new HttpResponse(200, { 'Transfer-Encoding': 'chunked' }));
          const session = await request.session().catch((error) => {
            outcome('stream, new id')(error);
            return null;
          });
          if (session !== null) session.set('streamed', true);
          connection.send(new Chunk(''));
          return;
        }
        default:
          connection.send(`plain ${request.path()}`);
      }
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.socket.destroy());
  const get = async (path: string, cookie = '') => {
    const header = cookie === '' ? '' : `Cookie: ${cookie}\r\n`;
    client.write(`GET ${path} HTTP/1.1\r\nHost: a\r\n${header}\r\n`);
    return readResponse(client);
  };
  const cookies = (response: { headers: [string, string][] }) =>
    response.headers.filter(([name]) => name === 'set-cookie').map(([, value]) => value);

  const late = await get('/late-load');
  assert.deepEqual(cookies(late), []);
  const next = await get('/plain');
  assert.deepEqual(cookies(next), [], "no other request's cookie on this answer");
  assert.equal(next.body.toString(), 'plain /plain');

  const changed = await get('/late-change');
  const [cookie = ''] = cookies(changed);
  const id = cookie.split(';')[0]!.split('=')[1]!;
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.deepEqual(cookies(await get('/plain')), []);
  await get('/plain');
  assert.deepEqual(outcomes, [
    'late load: WM_ERR_SESSION_ANSWERED',
    'late change: WM_ERR_SESSION_ANSWERED',
    'late regenerate: WM_ERR_SESSION_ANSWERED',
  ]);
  assert.deepEqual(
    await storedData(id),
    { before: 1 },
    'the data changed before the answer is saved',
  );

  // During a streamed answer a known session still changes (saved at its end),
  // but a new id cannot be announced any more.
  const streamed = await get('/stream', `PHPSID=${id}`);
  assert.deepEqual(cookies(streamed), []);
  assert.deepEqual(await storedData(id), { before: 1, streamed: true });
  await get('/stream');
  assert.equal(outcomes.at(-1), 'stream, new id: WM_ERR_SESSION_ANSWERED');
});

test('the session folder: per app by default, made 0700; refused when open to others, a link, or not ours', async (t) => {
  const defaults = new FileSessionHandler();
  assert.notEqual(defaults.savePath, join(tmpdir(), 'workerman-sessions'));
  assert.match(
    defaults.savePath,
    new RegExp(`workerman-ts-sessions-${process.getuid?.() ?? 'user'}-[0-9a-f]{10}$`),
  );

  const base = mkdtempSync(join(tmpdir(), 'wm-sessions-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const id = 'b'.repeat(32);
  const fresh = new FileSessionHandler({ savePath: join(base, 'fresh') });
  await fresh.write(id, '{"user":"ann"}', 60);
  assert.equal(statSync(fresh.savePath).mode & 0o777, 0o700);
  assert.equal(await fresh.read(id), '{"user":"ann"}');

  const unsafe = async (savePath: string, what: string) => {
    const handler = new FileSessionHandler({ savePath });
    for (const call of [
      () => handler.read(id),
      () => handler.write(id, '{}', 60),
      () => handler.gc(60),
    ]) {
      await assert.rejects(call(), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'WM_ERR_UNSAFE_PATH', what);
        assert.ok(error.message.includes(savePath), error.message);
        return true;
      });
    }
  };
  // Someone planted a session in a folder anyone may write to.
  const open = join(base, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  writeFileSync(join(open, `ses_${id}`), '{"user":"admin"}');
  await unsafe(open, 'open to others');
  const group = join(base, 'group');
  mkdirSync(group, { mode: 0o770 });
  chmodSync(group, 0o770);
  await unsafe(group, 'open to the group');
  const link = join(base, 'link');
  symlinkSync(fresh.savePath, link);
  await unsafe(link, 'a symbolic link');
  if (process.getuid?.() === 0) {
    const foreign = join(base, 'foreign');
    mkdirSync(foreign, { mode: 0o700 });
    chownSync(foreign, 65534, 65534);
    await unsafe(foreign, 'owned by another user');
  }
});
