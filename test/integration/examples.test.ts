// Every example is started as a user would start it, and talked to
// (examples/chat in examples/chat.test.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { uploadPacket } from '../../examples/file-transfer/binary-transfer.js';
import { freePort, runStartFile } from '../helpers/start-file.js';
import { TestClient } from '../helpers/test-client.js';

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

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

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The sha256 of the next `length` bytes that arrive on `socket`, hashed as they come. */
function sha256OfNext(socket: Socket, length: number): Promise<string> {
  const hash = createHash('sha256');
  let seen = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      hash.update(chunk);
      seen += chunk.length;
      if (seen < length) return;
      socket.off('data', onData).off('close', onClose);
      if (seen > length) reject(new Error(`${seen} bytes arrived, ${length} were sent`));
      else resolve(hash.digest('hex'));
    };
    const onClose = () => reject(new Error(`closed after ${seen} of ${length} bytes`));
    socket.on('data', onData).once('close', onClose);
  });
}

/** Runs examples/file-transfer/send-file.ts as a user would, to its exit. */
async function sendFile(t: TestContext, port: number, file: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', example('file-transfer/send-file.ts'), file],
    { env: { ...process.env, PORT: String(port) } },
  );
  t.after(() => child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

test('examples/file-transfer saves uploads in UPLOAD_DIR, refuses names that leave it, bounds the size', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wm-upload-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const uploadDir = join(root, 'uploads');
  const limit = 4 * 1024 * 1024;
  const port = await freePort();
  const app = runStartFile(t, example('file-transfer/start.ts'), {
    PORT: String(port),
    UPLOAD_DIR: uploadDir,
    MAX_UPLOAD_BYTES: String(limit),
  });
  await app.waitForLine(/Start success/);

  await t.test('send-file.ts uploads a binary file of a few MB intact', async (t) => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const source = join(root, 'photo.bin');
    writeFileSync(source, bytes);
    const { code, stdout, stderr } = await sendFile(t, port, source);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, `upload success: photo.bin, ${bytes.length} bytes\n`);
    assert.equal(sha256(readFileSync(join(uploadDir, 'photo.bin'))), sha256(bytes));
  });

  await t.test(
    'a name that is not a plain file name is refused and the connection closed',
    async (t) => {
      const hostile = [
        '../escape.bin',
        join(root, 'escape.bin'),
        'sub/escape.bin',
        'sub\\x',
        '.bashrc',
        '..',
      ];
      for (const name of hostile) {
        const client = await TestClient.connect(port);
        t.after(() => client.destroy());
        client.write(uploadPacket(name, Buffer.from('not for you')));
        assert.equal(
          await client.readLine(),
          `refused: ${JSON.stringify(name)} is not a plain file name`,
        );
        await client.closed();
      }
      // A header whose total cannot hold its own name is closed by the codec.
      const liar = await TestClient.connect(port);
      t.after(() => liar.destroy());
      liar.write(Buffer.from([0, 0, 0, 6, 9]));
      await liar.closed();
      await app.waitForLine(/file-transfer: codec input\(\) rejected/);

      assert.deepEqual(readdirSync(root).sort(), ['photo.bin', 'uploads']);
      assert.deepEqual(readdirSync(uploadDir), ['photo.bin']);
    },
  );

  await t.test(
    'MAX_UPLOAD_BYTES: a packet of exactly the bound is saved, one byte more is cut at its header',
    async (t) => {
      const atBound = randomBytes(limit - 5 - 'edge.bin'.length);
      const client = await TestClient.connect(port);
      t.after(() => client.destroy());
      client.write(uploadPacket('edge.bin', atBound));
      assert.equal(await client.readLine(), `upload success: edge.bin, ${atBound.length} bytes`);
      assert.equal(sha256(readFileSync(join(uploadDir, 'edge.bin'))), sha256(atBound));

      // The header and name alone announce the size: the server closes
      // without waiting for (or allocating) the body.
      const over = uploadPacket('over.bin', Buffer.alloc(atBound.length + 1));
      const greedy = await TestClient.connect(port);
      t.after(() => greedy.destroy());
      greedy.write(over.subarray(0, 5 + 'over.bin'.length));
      await greedy.closed();
      await app.waitForLine(/file-transfer: .*over maxPackageSize 4194304/);
      assert.ok(!existsSync(join(uploadDir, 'over.bin')));
    },
  );
});

test('examples/proxy pipes each client to BACKEND with backpressure, and closes both ends together', async (t) => {
  // The backend: an echo server that reads slowly, one chunk per timer
  // tick, so the proxy receives from the client far faster than it can
  // deliver. Only the rate depends on the timer, never the outcome.
  const backendSockets: Socket[] = [];
  const backend = createServer((socket) => {
    backendSockets.push(socket);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      socket.pause();
      socket.write(chunk, () => setTimeout(() => socket.resume(), 1));
    });
    socket.on('end', () => socket.end());
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  t.after(() => {
    for (const socket of backendSockets) socket.destroy();
    backend.close();
  });
  const { port: backendPort } = backend.address() as { port: number };

  const port = await freePort();
  const app = runStartFile(t, example('proxy/start.ts'), {
    PORT: String(port),
    BACKEND: `tcp://127.0.0.1:${backendPort}`,
  });
  await app.waitForLine(/Start success/);

  // The client writes 32 MiB at once and the backend takes them at its own
  // slow pace: more than the kernel's socket buffers on the way can hold,
  // so the proxy has to stop reading from the client. Without that pause
  // its send buffer towards the backend (maxSendBufferSize, 1 MiB) would
  // fill, sends would be refused and bytes lost.
  const client = connect({ port, host: '127.0.0.1' }).on('error', () => {});
  t.after(() => client.destroy());
  await once(client, 'connect');
  const payload = randomBytes(32 * 1024 * 1024);
  const echoed = sha256OfNext(client, payload.length);
  client.write(payload);
  assert.equal(await echoed, sha256(payload));
  assert.equal(backendSockets.length, 1);

  // The client leaves: the proxy closes its backend link.
  const link = backendSockets[0] as Socket;
  const linkClosed = once(link, 'close');
  client.end();
  await linkClosed;

  // The backend leaves: the proxy closes the client.
  const second = await TestClient.connect(port);
  t.after(() => second.destroy());
  second.write('ping');
  assert.equal((await second.readBytes(4)).toString(), 'ping');
  (backendSockets[1] as Socket).end();
  await second.closed();
});
