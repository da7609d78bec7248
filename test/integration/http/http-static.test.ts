import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StaticFiles } from '../../../src/index.js';
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
