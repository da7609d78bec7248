import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { TcpConnection } from '../../../src/connection/tcp-connection.js';
import { Response, Worker } from '../../../src/index.js';
import { eventually, listenWorker } from '../../helpers/listen.js';
import { makeTestCert } from '../../helpers/test-cert.js';

const run = promisify(execFile);

function tempDir(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'wm-http-files-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('withFile: whole file, MIME type, Last-Modified, 304, ranges, 416, 404', async (t) => {
  const dir = tempDir(t);
  const content = Buffer.alloc(300_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 7) % 251;
  writeFileSync(join(dir, 'data.json'), content);
  const mtime = new Date('2024-01-02T03:04:05Z');
  utimesSync(join(dir, 'data.json'), mtime, mtime);
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) => {
      const name = request.path().slice(1);
      const response = new Response().withFile(join(dir, name));
      if (request.get('part') === '1') response.withFile(join(dir, name), 10, 20);
      connection.send(response);
    };
  });
  const url = `http://127.0.0.1:${worker.port}/data.json`;
  const whole = await fetch(url);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('content-type'), 'application/json');
  assert.equal(whole.headers.get('last-modified'), mtime.toUTCString());
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(content));

  const notModified = await fetch(url, { headers: { 'If-Modified-Since': mtime.toUTCString() } });
  assert.equal(notModified.status, 304);
  const modified = await fetch(url, {
    headers: { 'If-Modified-Since': new Date(mtime.getTime() - 1000).toUTCString() },
  });
  assert.equal(modified.status, 200);
  await modified.arrayBuffer();

  for (const [range, from, to] of [
    ['bytes=0-99', 0, 100],
    ['bytes=299990-', 299_990, 300_000],
    ['bytes=-5', 299_995, 300_000],
    ['bytes=100-999999', 100, 300_000],
  ] as const) {
    const partial = await fetch(url, { headers: { Range: range } });
    assert.equal(partial.status, 206, range);
    assert.equal(partial.headers.get('content-range'), `bytes ${from}-${to - 1}/300000`);
    assert.ok(Buffer.from(await partial.arrayBuffer()).equals(content.subarray(from, to)), range);
  }
  const unsatisfiable = await fetch(url, { headers: { Range: 'bytes=300000-' } });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers.get('content-range'), 'bytes */300000');

  const part = await fetch(`${url}?part=1`);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(content.subarray(10, 30)));

  const missing = await fetch(`http://127.0.0.1:${worker.port}/nope.txt`);
  assert.equal(missing.status, 404);
  await missing.text();
});

test('curl: HEAD of a file, and a range on a kept-alive connection', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.txt'), 'hello file\n');
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) =>
      connection.send(new Response().withFile(join(dir, request.path().slice(1))));
  });
  const url = `http://127.0.0.1:${worker.port}/a.txt`;
  const head = await run('curl', ['-sS', '-I', url]);
  assert.match(head.stdout, /^HTTP\/1\.1 200 OK/);
  assert.match(head.stdout, /Content-Length: 11/i);
  assert.match(head.stdout, /Content-Type: text\/plain; charset=utf-8/i);
  const both = await run('curl', ['-sS', url, '--next', '-sS', '-r', '6-9', url]);
  assert.equal(both.stdout, 'hello file\nfile');
});

/** Bytes with a period (251) that no read step divides: a chunk sent twice or out of place shows. */
function patterned(length: number): Buffer {
  const content = Buffer.alloc(length);
  for (let i = 0; i < length; i++) content[i] = (i * 7) % 251;
  return content;
}

test('a large file arrives intact to a reader that stalls mid-way and to one that reads at once', async (t) => {
  // The read step's buffer is reused once the socket took a chunk whole, and
  // never while a chunk still waits in the send buffer: both cases happen here.
  const dir = tempDir(t);
  // Bigger than what the kernel buffers on loopback, so the stalled reader fills ours.
  const content = patterned(24 * 1024 * 1024 + 17);
  writeFileSync(join(dir, 'big.bin'), content);
  let server: TcpConnection<unknown, unknown> | null = null;
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      server = connection;
    };
    w.onMessage = (connection) => connection.send(new Response().withFile(join(dir, 'big.bin')));
  });
  // Chunks are collected, not concatenated as they come (24 MB).
  const socket = connect({ port: worker.port, host: '127.0.0.1' });
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  let parts: Buffer[] = [];
  let received = 0;
  socket.on('data', (part: Buffer) => {
    parts.push(part);
    received += part.length;
  });
  for (const stall of [true, false]) {
    if (stall) socket.pause();
    socket.write('GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n');
    if (stall) {
      await eventually(
        () => (server?.getSendBufferQueueSize() ?? 0) > 0,
        'the server to queue bytes for the stalled reader',
      );
      socket.resume();
    }
    await eventually(() => received >= 1024, 'the response head');
    const head = Buffer.concat(parts).indexOf('\r\n\r\n') + 4;
    assert.ok(head > 4, 'a complete head');
    await eventually(() => received >= head + content.length, 'the whole body');
    const response = Buffer.concat(parts);
    assert.match(response.toString('latin1', 0, head), /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(response.length, head + content.length, 'nothing after the body');
    assert.ok(response.subarray(head).equals(content), stall ? 'stalled reader' : 'fast reader');
    parts = [];
    received = 0;
  }
});

test('a large file over TLS arrives intact', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  const dir = tempDir(t);
  const content = patterned(2 * 1024 * 1024 + 5);
  writeFileSync(join(dir, 'big.bin'), content);
  const worker = new Worker('http://127.0.0.1:0', {
    ssl: { local_cert: cert.certPath, local_pk: cert.keyPath },
  });
  worker.transport = 'ssl';
  worker.onMessage = (connection) => connection.send(new Response().withFile(join(dir, 'big.bin')));
  await worker.listen();
  t.after(() => worker.stop());
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: worker.port, path: '/big.bin', ca: cert.cert },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.ok(body.equals(content));
});

test('file read steps at their bounds: a 4 KiB and an 8 MiB maxSendBufferSize both deliver the file intact, the small one queueing at most one step past its limit', async (t) => {
  const dir = tempDir(t);
  const content = patterned(3 * 1024 * 1024 + 5);
  writeFileSync(join(dir, 'mid.bin'), content);
  let highest = 0;
  let small: TcpConnection<unknown, unknown> | null = null;
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onMessage = (connection, request) => {
      // A quarter of 4 KiB is below the 16 KiB floor; a quarter of 8 MiB above the 256 KiB ceiling.
      connection.maxSendBufferSize = request.get('buffer') === 'small' ? 4 * 1024 : 8 * 1024 * 1024;
      if (request.get('buffer') === 'small') small = connection;
      connection.send(new Response().withFile(join(dir, 'mid.bin')));
    };
  });
  const sampler = setInterval(() => {
    highest = Math.max(highest, small?.getSendBufferQueueSize() ?? 0);
  }, 1);
  t.after(() => clearInterval(sampler));
  for (const buffer of ['small', 'large']) {
    const response = await fetch(`http://127.0.0.1:${worker.port}/mid.bin?buffer=${buffer}`);
    assert.equal(response.status, 200);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(content), `${buffer} send buffer`);
  }
  // Reading waits while half the limit is queued; one 16 KiB step (and the head) may be on top.
  assert.ok(highest <= 4 * 1024 + 16 * 1024 + 1024, `queued at most ${highest} bytes`);
});
