// Every example is started as a user would start it, and talked to.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort, runStartFile } from '../helpers/start-file.js';
import { TestClient } from '../helpers/test-client.js';

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

test('examples/chat broadcasts each line to every client', async (t) => {
  const port = await freePort();
  const app = runStartFile(t, example('chat/start.ts'), { PORT: String(port) });
  await app.waitForLine(/Start success/);
  const alice = await TestClient.connect(port);
  const bob = await TestClient.connect(port);
  t.after(() => {
    alice.destroy();
    bob.destroy();
  });
  const aliceId = (await alice.readLine()).replace('welcome, you are ', '');
  await bob.readLine();
  alice.write('hello bob\n');
  assert.equal(await bob.readLine(), `${aliceId}: hello bob`);
  assert.equal(await alice.readLine(), `${aliceId}: hello bob`);
});

test("examples/protocols answers on each of the manual's three protocols", async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const app = runStartFile(t, example('protocols/start.ts'), { PORTS: ports.join(',') });
  await app.waitForLine(/Start success/);
  const [jsonPort, xmlPort, jsonIntPort] = ports as [number, number, number];

  const json = await TestClient.connect(jsonPort);
  t.after(() => json.destroy());
  json.write('{"type":"message","content":"hello"}\n');
  assert.deepEqual(JSON.parse(await json.readLine()), {
    received: { type: 'message', content: 'hello' },
  });

  const xml = await TestClient.connect(xmlPort);
  t.after(() => xml.destroy());
  const body = '<request><module>user</module></request>';
  xml.write(String(body.length + 10).padStart(10, '0') + body);
  const header = (await xml.readBytes(10)).toString();
  assert.equal(
    (await xml.readBytes(Number(header) - 10)).toString(),
    `<response>${body.length}</response>`,
  );

  const jsonInt = await TestClient.connect(jsonIntPort);
  t.after(() => jsonInt.destroy());
  const payload = Buffer.from('{"type":"message","content":"hello all"}');
  const packet = Buffer.alloc(4 + payload.length);
  packet.writeUInt32BE(packet.length, 0);
  payload.copy(packet, 4);
  jsonInt.write(packet);
  const length = (await jsonInt.readBytes(4)).readUInt32BE(0);
  assert.deepEqual(JSON.parse((await jsonInt.readBytes(length - 4)).toString()), {
    received: { type: 'message', content: 'hello all' },
  });
});

test('examples/http-hello answers every request with hello world', async (t) => {
  const port = await freePort();
  const app = runStartFile(t, example('http-hello/start.ts'), { PORT: String(port) });
  await app.waitForLine(/Start success/);
  for (const path of ['/', '/any/path?name=tom']) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello world');
  }
  const posted = await fetch(`http://127.0.0.1:${port}/form`, { method: 'POST', body: 'a=1' });
  assert.equal(await posted.text(), 'hello world');
});

test('examples/websocket-echo answers text with hello and echoes binary', async (t) => {
  const port = await freePort();
  const app = runStartFile(t, example('websocket-echo/start.ts'), { PORT: String(port) });
  await app.waitForLine(/Start success/);
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  t.after(() => ws.terminate());
  await once(ws, 'open');
  const next = async () => {
    const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
    return { data, isBinary };
  };

  ws.send('tom');
  const text = await next();
  assert.equal(text.isBinary, false);
  assert.equal(text.data.toString(), 'hello tom');

  const bytes = randomBytes(64 * 1024);
  ws.send(bytes);
  const binary = await next();
  assert.equal(binary.isBinary, true);
  assert.ok(binary.data.equals(bytes));
});

test('examples/tcp-raw echoes bytes unchanged, binary included', async (t) => {
  const port = await freePort();
  const app = runStartFile(t, example('tcp-raw/start.ts'), { PORT: String(port) });
  await app.waitForLine(/Start success/);
  const client = await TestClient.connect(port);
  t.after(() => client.destroy());

  client.write('tom\r\n'); // what telnet sends
  assert.equal((await client.readBytes(5)).toString(), 'tom\r\n');

  // Every byte value, then 1 MiB of noise written at once: it crosses many
  // reads on the way in and out, and must come back byte for byte.
  const everyByte = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const noise = randomBytes(1024 * 1024);
  client.write(everyByte);
  client.write(noise);
  assert.ok((await client.readBytes(everyByte.length)).equals(everyByte));
  assert.ok((await client.readBytes(noise.length)).equals(noise));
});
