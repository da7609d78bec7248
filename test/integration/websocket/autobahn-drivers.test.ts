// The two Autobahn|Testsuite drivers in examples/autobahn, run as a user runs
// them: the echo server against `ws` as the fuzzing client, and the client
// driver against a stand-in fuzzingserver built on `ws` that speaks the same
// URLs (/getCaseCount, /runCase, /updateReports).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { freePort, runStartFile } from '../../helpers/start-file.js';

const example = (path: string) =>
  fileURLToPath(new URL(`../../../examples/autobahn/${path}`, import.meta.url));

test('examples/autobahn/server.ts echoes text as text and binary as binary, 16 MiB included', {
  timeout: 60_000,
}, async (t) => {
  const port = await freePort();
  const app = runStartFile(t, example('server.ts'), { PORT: String(port) });
  await app.waitForLine(/Start success/);
  const client = new WebSocket(`ws://127.0.0.1:${port}`);
  t.after(() => client.terminate());
  await once(client, 'open');
  const big = Buffer.alloc(16 * 1024 * 1024, 0x61);
  const sent: [Buffer | string, boolean][] = [
    ['hello', false],
    [Buffer.from([0, 1, 2, 255]), true],
    [big, true],
    ['', false],
  ];
  const echoed: [Buffer, boolean][] = [];
  const all = new Promise<void>((resolve) => {
    client.on('message', (data, isBinary) => {
      echoed.push([data as Buffer, isBinary]);
      if (echoed.length === sent.length) resolve();
    });
  });
  for (const [data, binary] of sent) client.send(data, { binary });
  await all;
  for (const [index, [data, binary]] of sent.entries()) {
    const [back, backBinary] = echoed[index] as [Buffer, boolean];
    assert.equal(backBinary, binary, `message ${index}: opcode`);
    assert.ok(back.equals(Buffer.from(data)), `message ${index}: payload`);
  }
  client.close(1000);
  const [code] = await once(client, 'close');
  assert.equal(code, 1000);
});

test('examples/autobahn/client.ts runs every case of a fuzzingserver, echoing, then asks for the report', {
  timeout: 60_000,
}, async (t) => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  t.after(() => {
    for (const socket of server.clients) socket.terminate();
    server.close();
  });
  const cases: Record<number, { sent: (string | Buffer)[]; echoed: (string | Buffer)[] }> = {};
  let reportFor = '';
  server.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'ws://x');
    if (url.pathname === '/getCaseCount') {
      socket.send('3');
      socket.close(1000);
    } else if (url.pathname === '/runCase') {
      assert.equal(url.searchParams.get('agent'), 'our-agent');
      const index = Number(url.searchParams.get('case'));
      const sent = [`case ${index}`, Buffer.from([index, 0, 255])];
      const echoed: (string | Buffer)[] = [];
      cases[index] = { sent, echoed };
      socket.on('message', (data, isBinary) => {
        echoed.push(isBinary ? (data as Buffer) : data.toString());
        if (echoed.length === sent.length) socket.close(1000);
      });
      socket.send(sent[0] as string);
      socket.send(sent[1] as Buffer);
    } else if (url.pathname === '/updateReports') {
      reportFor = url.searchParams.get('agent') ?? '';
      socket.close(1000);
    }
  });
  const { port } = server.address() as { port: number };
  const driver = spawn(
    process.execPath,
    ['--import', 'tsx', example('client.ts'), `ws://127.0.0.1:${port}`, 'our-agent'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => driver.kill('SIGKILL'));
  let output = '';
  driver.stdout.on('data', (chunk) => (output += chunk));
  driver.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(driver, 'exit');
  assert.equal(code, 0, output);
  assert.deepEqual(Object.keys(cases).map(Number), [1, 2, 3]);
  for (const { sent, echoed } of Object.values(cases)) assert.deepEqual(echoed, sent);
  assert.equal(reportFor, 'our-agent');
  assert.match(output, /3 cases run; reports updated for our-agent/);
});
