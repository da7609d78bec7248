import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import {
  FileSessionHandler,
  RedisSessionHandler,
  type Request,
  Session,
  type SessionHandler,
} from '../../../src/index.js';
import { listenWorker } from '../../helpers/listen.js';
import { startRedis } from '../../helpers/redis-server.js';

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
  assert.equal(await handler.read(ids.fresh), '');
}

test('file sessions: cookie attributes, persistence, regeneration, flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wm-sessions-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await exercise(t, new FileSessionHandler({ savePath: dir }));
  assert.ok(readdirSync(dir).every((name) => name.startsWith('ses_')));
});

test('Redis sessions on a real redis-server, with a TTL of the lifetime', async (t) => {
  const port = await startRedis(t);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  t.after(() => client.quit());
  await exercise(t, new RedisSessionHandler(client, { prefix: 'test_' }));
  const keys = await client.keys('test_*');
  assert.ok(keys.length >= 2);
  for (const key of keys) {
    const ttl = await client.ttl(key);
    assert.ok(ttl > 0 && ttl <= Session.lifetime, `${key} ttl ${ttl}`);
  }
});
