import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { test } from 'node:test';
import { closeWebSocket, Worker } from '../../../src/index.js';
import { allowEvaluatedFunctions, launchBrowserContext } from '../../helpers/browser.js';
import { eventually } from '../../helpers/listen.js';
import { makeTestCert } from '../../helpers/test-cert.js';

// A real browser (Debian's chromium through playwright-core) talks to the
// websocket:// server over ws:// and wss://: text, binary, 1 MB messages,
// and both close directions with the expected codes.

async function echoWorker(t: TestContext, tls: { certPath: string; keyPath: string } | null) {
  const worker = new Worker(
    'websocket://127.0.0.1:0',
    tls ? { ssl: { local_cert: tls.certPath, local_pk: tls.keyPath } } : {},
  );
  if (tls) worker.transport = 'ssl';
  const closes: number[] = [];
  worker.onMessage = (connection, data) => {
    if (data === 'close me') closeWebSocket(connection, 4001, 'server says bye');
    else connection.send(data);
  };
  worker.onWebSocketClose = (_connection, code) => {
    closes.push(code);
  };
  await worker.listen();
  t.after(() => worker.stop());
  return { worker, closes };
}

/** Runs in the page: echo checks, then a client close and a server close. */
async function pageScript(url: string) {
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.binaryType = 'arraybuffer';
      socket.onopen = () => resolve(socket);
      socket.onerror = () => reject(new Error('websocket error'));
    });
  const next = (socket: WebSocket) =>
    new Promise<string | ArrayBuffer>((resolve) => {
      socket.onmessage = (event) => resolve(event.data);
    });
  const socket = await open();
  const results: Record<string, unknown> = { extensions: socket.extensions };
  socket.send('hello from the browser');
  results.text = await next(socket);
  const big = new Uint8Array(1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  socket.send(big);
  const echoed = new Uint8Array((await next(socket)) as ArrayBuffer);
  results.binaryOk = echoed.length === big.length && echoed.every((byte, i) => byte === big[i]);
  const bigText = 'ü'.repeat(512 * 1024);
  socket.send(bigText);
  results.bigTextOk = (await next(socket)) === bigText;
  const clientClose = new Promise<[number, boolean]>((resolve) => {
    socket.onclose = (event) => resolve([event.code, event.wasClean]);
  });
  socket.close(4000, 'browser done');
  results.clientClose = await clientClose;
  const second = await open();
  const serverClose = new Promise<[number, string, boolean]>((resolve) => {
    second.onclose = (event) => resolve([event.code, event.reason, event.wasClean]);
  });
  second.send('close me');
  results.serverClose = await serverClose;
  return results;
}

test('chromium over ws:// and wss://: text, binary, 1 MB messages, clean closes both ways', async (t) => {
  const cert = makeTestCert();
  t.after(() => cert.remove());
  // The wss:// case uses a fresh self-signed certificate.
  const context = await launchBrowserContext(t, ['--ignore-certificate-errors']);
  const page = await context.newPage();
  await allowEvaluatedFunctions(page);
  for (const tls of [false, true]) {
    const { worker, closes } = await echoWorker(t, tls ? cert : null);
    const url = `${tls ? 'wss' : 'ws'}://127.0.0.1:${worker.port}/page`;
    const results = await page.evaluate(pageScript, url);
    assert.match(String(results.extensions), /permessage-deflate/);
    assert.equal(results.text, 'hello from the browser');
    assert.equal(results.binaryOk, true);
    assert.equal(results.bigTextOk, true);
    assert.deepEqual(results.clientClose, [4000, true]);
    assert.deepEqual(results.serverClose, [4001, 'server says bye', true]);
    await eventually(() => closes.includes(4000), 'the close code at the server');
  }
});
