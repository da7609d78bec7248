import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Request, StaticFiles, type TcpConnection } from '../../../src/index.js';
import { readResponse } from '../../helpers/http-reader.js';
import { listenWorker } from '../../helpers/listen.js';
import { TestClient } from '../../helpers/test-client.js';

test('static files: roots per host, index files, MIME types, redirects, no escape from the root', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'wm-static-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const site = join(base, 'site');
  const docs = join(base, 'docs');
  mkdirSync(join(site, 'sub'), { recursive: true });
  mkdirSync(docs);
  writeFileSync(join(base, 'secret.txt'), 'SECRET');
  writeFileSync(join(site, 'index.html'), '<p>home</p>');
  writeFileSync(join(site, 'style.css'), 'body{}');
  writeFileSync(join(site, 'sub', 'index.htm'), 'sub index');
  writeFileSync(join(site, 'a b.txt'), 'spaced');
  writeFileSync(join(docs, 'index.html'), 'docs home');
  symlinkSync(join(base, 'secret.txt'), join(site, 'link-out.txt'));
  symlinkSync(join(site, 'style.css'), join(site, 'link-in.css'));
  const files = new StaticFiles(site).addRoot('docs.test', docs);
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = async (connection, request) => {
      if (await files.serve(connection, request)) return;
      connection.send(`app: ${request.path()}`);
    };
  });
  const url = `http://127.0.0.1:${worker.port}`;
  const home = await fetch(`${url}/`);
  assert.equal(home.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(await home.text(), '<p>home</p>');
  const css = await fetch(`${url}/style.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal(await css.text(), 'body{}');
  assert.equal(await (await fetch(`${url}/a%20b.txt`)).text(), 'spaced');
  assert.equal(await (await fetch(`${url}/link-in.css`)).text(), 'body{}');
  const redirect = await fetch(`${url}/sub?x=1`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.get('location'), '/sub/?x=1');
  assert.equal(await (await fetch(`${url}/sub/`)).text(), 'sub index');
  assert.equal(await (await fetch(`${url}/missing`)).text(), 'app: /missing');

  // Raw requests: fetch sets its own Host and normalises paths.
  const client = await TestClient.connect(worker.port);
  t.after(() => client.socket.destroy());
  client.write('GET / HTTP/1.1\r\nHost: DOCS.test:80\r\n\r\n');
  assert.equal((await readResponse(client)).body.toString(), 'docs home');
  for (const target of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/sub/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/style.css%00.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/link-out.txt',
    `/${join(base, 'secret.txt')}`,
    `//${join(base, 'secret.txt')}`,
  ]) {
    client.write(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
    const response = await readResponse(client);
    assert.ok(!response.body.toString().includes('SECRET'), target);
    assert.ok([403, 200].includes(response.status), `${target}: ${response.status}`);
    if (response.status === 200) assert.match(response.body.toString(), /^app: /, target);
  }
});

/** A worker serving `files`, the app answering `app: <path>` when no file matches; a raw client on it. */
async function serveRaw(t: import('node:test').TestContext, files: StaticFiles) {
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = async (connection: TcpConnection<unknown, unknown>, request: Request) => {
      if (await files.serve(connection, request)) return;
      connection.send(`app: ${request.path()}`);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.socket.destroy());
  return async (target: string) => {
    client.write(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`);
    return readResponse(client);
  };
}

test('static files: a directory redirect is built from the normalised path and never names another host', async (t) => {
  const site = mkdtempSync(join(tmpdir(), 'wm-static-'));
  t.after(() => rmSync(site, { recursive: true, force: true }));
  mkdirSync(join(site, 'assets', 'a b'), { recursive: true });
  const get = await serveRaw(t, new StaticFiles(site));
  for (const [target, location] of [
    ['//evil.example/%2e%2e/assets', '/assets/'],
    ['//evil.example/..%2fassets?x=1', '/assets/?x=1'],
    ['///assets', '/assets/'],
    ['/%2fevil.example/%2e%2e/assets', '/assets/'],
    ['/./assets//a%20b', '/assets/a%20b/'],
    ['/assets', '/assets/'],
  ] as const) {
    const response = await get(target);
    assert.equal(response.status, 301, target);
    assert.equal(response.header('location'), location, target);
  }
});

test('static files: dot files and dot folders are ignored by default, refused with deny, served with allow', async (t) => {
  const site = mkdtempSync(join(tmpdir(), 'wm-static-'));
  t.after(() => rmSync(site, { recursive: true, force: true }));
  mkdirSync(join(site, '.git'));
  mkdirSync(join(site, 'sub', '.hidden'), { recursive: true });
  mkdirSync(join(site, '.well-known'));
  writeFileSync(join(site, '.env'), 'SECRET=env');
  writeFileSync(join(site, '.git', 'config'), 'SECRET=git');
  writeFileSync(join(site, '.git', 'index.html'), 'SECRET=index');
  writeFileSync(join(site, 'sub', '.hidden', 'key.txt'), 'SECRET=key');
  writeFileSync(join(site, '.well-known', 'security.txt'), 'SECRET=wk');
  writeFileSync(join(site, 'public.txt'), 'public');
  // A link with a plain name into a dot folder: its target is checked too.
  symlinkSync(join(site, '.git', 'config'), join(site, 'config.txt'));
  const dotted = [
    '/.env',
    '/.git/config',
    '/.git/',
    '/.git',
    '/sub/.hidden/key.txt',
    '/%2eenv',
    '/.git%2fconfig',
    '/x/../.env',
    '//.env',
    '/.well-known/security.txt',
    '/config.txt',
  ];

  const ignoring = await serveRaw(t, new StaticFiles(site));
  for (const target of dotted) {
    const response = await ignoring(target);
    assert.equal(response.status, 200, target);
    assert.match(response.body.toString(), /^app: /, `${target} goes to the app`);
  }
  assert.equal((await ignoring('/public.txt')).body.toString(), 'public');

  const denying = await serveRaw(t, new StaticFiles(site, { dotfiles: 'deny' }));
  for (const target of dotted) {
    const response = await denying(target);
    assert.equal(response.status, 403, target);
    assert.ok(!response.body.toString().includes('SECRET'), target);
  }
  assert.equal((await denying('/public.txt')).body.toString(), 'public');

  const allowing = new StaticFiles(site);
  allowing.dotfiles = 'allow';
  const allowed = await serveRaw(t, allowing);
  assert.equal((await allowed('/.well-known/security.txt')).body.toString(), 'SECRET=wk');
  assert.equal((await allowed('/config.txt')).body.toString(), 'SECRET=git');
  assert.equal((await allowed('/.git/')).body.toString(), 'SECRET=index');

  assert.throws(
    () => new StaticFiles(site, { dotfiles: 'hide' as 'deny' }),
    (error: Error & { code?: string }) =>
      error.code === 'WM_ERR_INVALID_OPTION' && /dotfiles/.test(error.message),
  );
});
