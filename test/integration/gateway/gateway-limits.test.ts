// The gateway cluster's limits at their edges, in one process: a Gateway
// with a hand-driven business peer speaking the wire (frames, HMAC
// challenge), and a GatewayLink against a hand-driven gateway.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { type TestContext, test } from 'node:test';
import { GatewayLink } from '../../../src/gateway/api/gateway-link.js';
import { Gateway } from '../../../src/gateway/gateway/gateway.js';
import { BodyKind, Command, type CommandCode } from '../../../src/gateway/wire/commands.js';
import { encodeFrame, type GatewayFrame, GatewayFrames } from '../../../src/gateway/wire/frames.js';
import { proveKnowledge } from '../../../src/gateway/wire/link-auth.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const SECRET = 'limits-secret';

/** Frames read off a raw socket, kept in arrival order. */
class FrameSocket {
  readonly frames: GatewayFrame[] = [];
  closed = false;
  #pending = Buffer.alloc(0);

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      for (;;) {
        const length = GatewayFrames.input(this.#pending, null as never);
        if (length <= 0 || this.#pending.length < length) break;
        const packet = Buffer.from(this.#pending.subarray(0, length));
        this.#pending = this.#pending.subarray(length);
        this.frames.push(GatewayFrames.decode(packet, null as never) as GatewayFrame);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Takes the first frame with command `cmd` (waiting for it). */
  async take(cmd: number): Promise<GatewayFrame> {
    return until(() => {
      const at = this.frames.findIndex((frame) => frame.cmd === cmd);
      return at === -1 ? undefined : this.frames.splice(at, 1)[0];
    }, `frame ${cmd}`);
  }

  send(
    cmd: CommandCode,
    flags: number,
    client: number,
    request: number,
    ext: string | null,
    body: string | Buffer | null,
  ): void {
    this.socket.write(encodeFrame(cmd, flags, client, request, ext, body));
  }
}

async function startGateway(
  t: TestContext,
  settings: Partial<Gateway>,
): Promise<{ gateway: Gateway; clientPort: number; innerPort: number }> {
  const gateway = new Gateway('text://127.0.0.1:0');
  gateway.startPort = 0;
  gateway.secretKey = SECRET;
  // No register runs: the gateway retries it in the background, which these tests do not need.
  gateway.registerAddress = `127.0.0.1:${await unusedPort()}`;
  Object.assign(gateway, settings);
  await gateway.run();
  t.after(() => gateway.stop());
  const inner = gateway.gatewayProcess!.innerAddress;
  return {
    gateway,
    clientPort: gateway.port,
    innerPort: Number(inner.slice(inner.lastIndexOf(':') + 1)),
  };
}

async function unusedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** A business worker by hand: answers the challenge, then reads the events. */
async function fakeWorker(t: TestContext, innerPort: number): Promise<FrameSocket> {
  const socket = connect(innerPort, '127.0.0.1');
  t.after(() => socket.destroy());
  const peer = new FrameSocket(socket);
  const challenge = (await peer.take(Command.CHALLENGE)).ext.toString();
  const proof = proveKnowledge(SECRET, challenge, 'worker', 'fake:0');
  peer.send(Command.AUTH, 0, 0, 0, JSON.stringify({ role: 'worker', key: 'fake:0', proof }), null);
  await peer.take(Command.AUTH_OK);
  return peer;
}

async function query(peer: FrameSocket, request: number, question: object): Promise<unknown> {
  peer.send(Command.QUERY, 0, 0, request, JSON.stringify(question), null);
  const reply = await until(() => {
    const at = peer.frames.findIndex(
      (frame) => frame.cmd === Command.REPLY && frame.request === request,
    );
    return at === -1 ? undefined : peer.frames.splice(at, 1)[0];
  }, `reply ${request}`);
  return JSON.parse(reply.body.toString());
}

/** JSON of `{"v":"xxx…"}` exactly `bytes` long. */
const sessionOfSize = (bytes: number) => JSON.stringify({ v: 'x'.repeat(bytes - 8) });

test('maxSessionSize: a session of exactly the limit is kept, one byte more is refused and the old one stays', async (t) => {
  const { clientPort, innerPort } = await startGateway(t, { maxSessionSize: 100 });
  const worker = await fakeWorker(t, innerPort);
  const client = await TestClient.connect(clientPort);
  t.after(() => client.destroy());
  const { client: number } = await worker.take(Command.ON_CONNECT);
  const atLimit = sessionOfSize(100);
  assert.equal(Buffer.byteLength(atLimit), 100);
  worker.send(Command.SET_SESSION, 0, number, 0, atLimit, null);
  assert.deepEqual(await query(worker, 1, { q: 'session', client: number }), JSON.parse(atLimit));
  worker.send(Command.SET_SESSION, 0, number, 0, sessionOfSize(101), null);
  assert.deepEqual(await query(worker, 2, { q: 'session', client: number }), JSON.parse(atLimit));
});

test('maxFrameSize: a frame of exactly the limit is carried out, one byte more cuts that link only', async (t) => {
  const { clientPort, innerPort } = await startGateway(t, { maxFrameSize: 1024 });
  const worker = await fakeWorker(t, innerPort);
  const client = await TestClient.connect(clientPort);
  t.after(() => client.destroy());
  const { client: number } = await worker.take(Command.ON_CONNECT);
  // 18 bytes of header + body; the text codec adds the newline.
  worker.send(Command.SEND_TO_CLIENT, BodyKind.TEXT, number, 0, null, 'a'.repeat(1024 - 18));
  assert.equal(await client.readLine(), 'a'.repeat(1024 - 18));
  worker.send(Command.SEND_TO_CLIENT, BodyKind.TEXT, number, 0, null, 'b'.repeat(1025 - 18));
  await until(() => worker.closed, 'the oversized link cut');
  // The client stays, and a new worker reaches it.
  const second = await fakeWorker(t, innerPort);
  client.write('still here\n');
  const message = await second.take(Command.ON_MESSAGE);
  assert.equal(message.body.toString(), 'still here');
});

test('maxWaitingEvents: with no worker, events wait up to the limit; the client whose event does not fit is closed, and its close still waits', async (t) => {
  const { clientPort, innerPort } = await startGateway(t, { maxWaitingEvents: 3 });
  const client = await TestClient.connect(clientPort);
  t.after(() => client.destroy());
  client.write('one\ntwo\nthree\n'); // ON_CONNECT, one, two fill the 3 places; three does not fit
  await client.closed();
  const worker = await fakeWorker(t, innerPort);
  await worker.take(Command.ON_CONNECT);
  assert.equal((await worker.take(Command.ON_MESSAGE)).body.toString(), 'one');
  assert.equal((await worker.take(Command.ON_MESSAGE)).body.toString(), 'two');
  await worker.take(Command.ON_CLOSE);
  assert.equal(worker.frames.filter((frame) => frame.cmd === Command.ON_MESSAGE).length, 0);
});

test('workerWaitTimeout: a client whose events found no worker is closed once they waited that long', async (t) => {
  const { clientPort } = await startGateway(t, { workerWaitTimeout: 1 });
  const client = await TestClient.connect(clientPort);
  t.after(() => client.destroy());
  const started = Date.now();
  await client.closed();
  assert.ok(Date.now() - started >= 1000, 'not closed before the timeout');
});

/** A SEND_TO_CLIENT frame of exactly `bytes` (18 bytes of header and a text body). */
function sendFrameOf(worker: FrameSocket, client: number, letter: string, bytes: number): string {
  const text = letter.repeat(bytes - 18);
  worker.send(Command.SEND_TO_CLIENT, BodyKind.TEXT, client, 0, null, text);
  return text;
}

/** A round trip client → gateway → worker: the gateway has read what the worker sent before. */
async function roundTrip(client: TestClient, worker: FrameSocket, text: string): Promise<void> {
  client.write(`${text}\n`);
  const message = await worker.take(Command.ON_MESSAGE);
  assert.equal(message.body.toString(), text);
}

/**
 * A gateway where every round after the first waits an hour, a fake worker
 * and one client; the first round (one send to the client) has run.
 */
async function waitingGateway(t: TestContext, settings: Record<string, number> = {}) {
  const { clientPort, innerPort } = await startGateway(t, {
    writeBatchRatio: 1e9, // every round is followed by the longest wait ...
    maxWriteBatchDelay: 3_600_000, // ... an hour
    ...settings,
  });
  const worker = await fakeWorker(t, innerPort);
  const client = await TestClient.connect(clientPort);
  t.after(() => client.destroy());
  const { client: number } = await worker.take(Command.ON_CONNECT);
  worker.send(Command.SEND_TO_CLIENT, BodyKind.TEXT, number, 0, null, 'first');
  assert.equal(await client.readLine(), 'first'); // the first round runs at once
  return { worker, client, number };
}

test('maxWriteBatchBytes: commands gathered while the gateway waits go once they weigh the limit, in order', {
  timeout: 30_000,
}, async (t) => {
  const LIMIT = 300;
  // Only the byte limit ends the hour-long wait here.
  const { worker, client, number } = await waitingGateway(t, { maxWriteBatchBytes: LIMIT });

  // One byte below the limit: they wait (events to the worker do not).
  const a = sendFrameOf(worker, number, 'a', 100);
  const b = sendFrameOf(worker, number, 'b', LIMIT - 1 - 100);
  await roundTrip(client, worker, 'sync');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(client.buffered.length, 0, 'commands below the limit went before the wait ended');
  const c = sendFrameOf(worker, number, 'c', 20);
  assert.deepEqual(
    [await client.readLine(), await client.readLine(), await client.readLine()],
    [a, b, c],
  );

  // Exactly the limit, in a new wait: they go with nothing else arriving.
  const d = sendFrameOf(worker, number, 'd', 100);
  const e = sendFrameOf(worker, number, 'e', LIMIT - 100);
  assert.deepEqual([await client.readLine(), await client.readLine()], [d, e]);
});

test('maxWriteBatchDelay and writeBatchRatio 0: a wait ends at the limit; ratio 0 never waits', {
  timeout: 30_000,
}, async (t) => {
  for (const settings of [
    { writeBatchRatio: 1e9, maxWriteBatchDelay: 200 },
    { writeBatchRatio: 0, maxWriteBatchDelay: 3_600_000 },
  ]) {
    const { clientPort, innerPort } = await startGateway(t, settings);
    const worker = await fakeWorker(t, innerPort);
    const client = await TestClient.connect(clientPort);
    t.after(() => client.destroy());
    const { client: number } = await worker.take(Command.ON_CONNECT);
    for (const text of ['one', 'two', 'three']) {
      worker.send(Command.SEND_TO_CLIENT, BodyKind.TEXT, number, 0, null, text);
      assert.equal(await client.readLine(), text, JSON.stringify(settings));
    }
  }
});

test('a session change ends the wait: the round runs at once, so later client events carry it', {
  timeout: 30_000,
}, async (t) => {
  const { worker, client, number } = await waitingGateway(t);
  for (const [cmd, session] of [
    [Command.SET_SESSION, '{"room":"lobby"}'],
    [Command.UPDATE_SESSION, '{"name":"Ann"}'],
  ] as const) {
    worker.send(Command.SEND_TO_CLIENT, BodyKind.TEXT, number, 0, null, `before ${cmd}`);
    await roundTrip(client, worker, `sync ${cmd}`); // the send waits (an hour, if nothing ends it)
    worker.send(cmd, 0, number, 0, session, null);
    assert.equal(await client.readLine(), `before ${cmd}`, 'the session change ran the round');
  }
  // A query waits like any command; an empty update behind it ends the wait.
  const answer = query(worker, 1, { q: 'session', client: number });
  worker.send(Command.UPDATE_SESSION, 0, number, 0, '{}', null);
  assert.deepEqual(await answer, { room: 'lobby', name: 'Ann' });
});

/** A gateway by hand: authenticates any peer, then leaves `onFrame` to the test. */
async function fakeGateway(
  t: TestContext,
  onFrame: (peer: FrameSocket, frame: GatewayFrame) => void,
  read = true,
) {
  const peers: FrameSocket[] = [];
  const server = createServer((socket) => {
    const peer = new FrameSocket(socket);
    peers.push(peer);
    peer.send(Command.CHALLENGE, 0, 0, 0, 'c'.repeat(32), null);
    void peer.take(Command.AUTH).then(() => {
      peer.send(
        Command.AUTH_OK,
        0,
        0,
        0,
        JSON.stringify({ gatewayPort: 1, idPrefix: '7f0000010001' }),
        null,
      );
      if (!read) socket.pause();
      socket.on('data', () => {
        for (const frame of peer.frames.splice(0)) onFrame(peer, frame);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const peer of peers) peer.socket.destroy();
    server.close();
  });
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

function linkTo(
  t: TestContext,
  address: string,
  settings: { queryTimeout?: number; sendBufferSize?: number },
): GatewayLink {
  const link = new GatewayLink(
    address,
    {
      role: 'client',
      identity: '',
      secretKey: SECRET,
      sendBufferSize: settings.sendBufferSize ?? 1 << 20,
      maxFrameSize: 1 << 20,
      queryTimeout: settings.queryTimeout ?? 5,
      pingInterval: 5,
      reconnectDelay: 1,
    },
    () => {},
    () => {},
  );
  t.after(() => link.close());
  return link;
}

test('queryTimeout: an answer in time resolves; a gateway that stays silent rejects with WM_ERR_GATEWAY_TIMEOUT', async (t) => {
  const address = await fakeGateway(t, (peer, frame) => {
    if (frame.cmd !== Command.QUERY) return;
    const question = JSON.parse(frame.ext.toString()) as { q: string };
    if (question.q === 'clientCount')
      peer.send(Command.REPLY, BodyKind.JSON, 0, frame.request, null, '7');
  });
  const link = linkTo(t, address, { queryTimeout: 1 });
  await until(() => link.ready, 'the link up');
  assert.equal(await link.query({ q: 'clientCount' }), 7);
  const started = Date.now();
  await assert.rejects(link.query({ q: 'sessions' }), { code: 'WM_ERR_GATEWAY_TIMEOUT' });
  assert.ok(Date.now() - started >= 1000, 'not before queryTimeout');
});

test('sendToGatewayBufferSize: towards a gateway that does not read, sends are refused once the buffer holds the limit', async (t) => {
  const address = await fakeGateway(t, () => {}, false);
  const limit = 256 * 1024;
  const link = linkTo(t, address, { sendBufferSize: limit });
  await until(() => link.ready, 'the link up');
  const frame = encodeFrame(Command.SEND_TO_ALL, BodyKind.TEXT, 0, 0, null, 'x'.repeat(4096));
  let accepted = 0;
  while (link.send(frame)) {
    accepted++;
    assert.ok(accepted < 10_000, 'sends are refused at some point');
  }
  // The kernel's socket buffers take some; the link's own queue never goes past the limit by more than a frame.
  assert.ok(accepted * frame.length >= limit, `${accepted} frames taken before the refusal`);
  assert.equal(link.send(frame), false, 'still refused while the gateway does not read');
});
