// The internal listener of a gateway admits only peers that prove the
// secret key: a business worker with a wrong key is refused (by the
// gateways and by the register, each saying WM_ERR_LINK_AUTH_FAILED) and is
// given no client event; a raw connection that sends garbage or a command
// before authenticating is cut, one that stays silent is cut after
// authTimeout; the gateway serves its clients throughout.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { Command } from '../../../src/gateway/wire/commands.js';
import { encodeFrame } from '../../../src/gateway/wire/frames.js';
import { proveKnowledge } from '../../../src/gateway/wire/link-auth.js';
import { RegisterClient } from '../../../src/index.js';
import { type ClusterApp, ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const SECRET = 'cluster-secret';

/** The gateways' internal addresses, as the register lists them. */
async function innerAddresses(t: TestContext, app: ClusterApp): Promise<string[]> {
  let latest: string[] = [];
  const register = new RegisterClient({
    registerAddress: `127.0.0.1:${app.ports.REGISTER_PORT}`,
    secretKey: SECRET,
    role: 'client',
    onAddresses: (addresses) => {
      latest = addresses;
    },
  });
  register.start();
  t.after(() => register.stop());
  await until(() => latest.length === 2, 'the register to list both gateways');
  await register.stop();
  return latest;
}

async function connectTo(t: TestContext, address: string): Promise<TestClient> {
  const at = address.lastIndexOf(':');
  const client = await TestClient.connect(Number(address.slice(at + 1)), address.slice(0, at));
  t.after(() => client.destroy());
  return client;
}

/** The app's first output line matching `pattern`; fails the test (not the file) after `ms`. */
function lineWithin(app: ClusterApp, pattern: RegExp, ms = 30_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    app.waitForLine(pattern),
    new Promise<string>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no line ${pattern} within ${ms} ms: ${app.output.join(' | ')}`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Reads one frame: [length u32][cmd u8]...; the ext of a CHALLENGE is the challenge. */
async function readFrame(client: TestClient): Promise<{ cmd: number; ext: string }> {
  const length = (await client.readBytes(4)).readUInt32BE(0);
  const rest = await client.readBytes(length - 4);
  const extLength = rest.readUInt32BE(10);
  return { cmd: rest[0]!, ext: rest.toString('utf8', 14, 14 + extLength) };
}

test('a business worker with a wrong secret is refused by register and gateways and gets no client event', {
  timeout: 90_000,
}, async (t) => {
  const app = await startCluster(t, { ROGUE_SECRET: 'not-the-secret' });
  // The register refuses it, so it never learns the gateways' addresses...
  await lineWithin(app, /register: closed .*WM_ERR_LINK_AUTH_FAILED: wrong proof/);
  const rogue = await app.pids('RogueBusiness');
  const good = await app.pids('BusinessWorker');
  assert.equal(rogue.length, 1);
  const clients = await Promise.all(
    Array.from({ length: 8 }, () => ClusterClient.connect(t, app.ports.GATEWAY_PORT)),
  );
  for (const client of clients) {
    assert.ok(
      good.includes(client.worker),
      `client ${client.id} welcomed by a business worker with the key`,
    );
    const { worker } = (await client.call('whoami')) as { worker: number };
    assert.ok(
      !rogue.includes(worker) && good.includes(worker),
      `client ${client.id} served by ${worker}`,
    );
  }

  // ...and a gateway refuses its handshake when it knows the address: the
  // same AUTH a business worker sends, with a proof made from the wrong key.
  for (const inner of await innerAddresses(t, app)) {
    const link = await connectTo(t, inner);
    const challenge = await readFrame(link);
    assert.equal(challenge.cmd, Command.CHALLENGE);
    const proof = proveKnowledge('not-the-secret', challenge.ext, 'worker', 'RogueBusiness:0');
    link.write(
      encodeFrame(
        Command.AUTH,
        0,
        0,
        0,
        JSON.stringify({ role: 'worker', key: 'RogueBusiness:0', proof }),
        null,
      ),
    );
    await link.closed();
    assert.equal(link.buffered.length, 0, 'no AUTH_OK nor anything else after a wrong proof');
  }
  await lineWithin(
    app,
    /gateway: internal link from .* cut \(WM_ERR_LINK_AUTH_FAILED\): wrong proof of the secret key/,
  );
  for (const client of clients) assert.deepEqual(await client.call('echo', 1), [1]);
});

test('raw connections to the internal port: garbage and early commands are cut, silence after authTimeout', {
  timeout: 90_000,
}, async (t) => {
  const app = await startCluster(t, { AUTH_TIMEOUT: '1' });
  const client = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
  const [inner] = (await innerAddresses(t, app)) as [string];

  // Garbage: not a frame (its length field is below the header size).
  const garbage = await connectTo(t, inner);
  garbage.write(Buffer.from([0, 0, 0, 3, 0xff, 0xff, 0xff]));
  await garbage.closed();

  // A well-formed command before answering the challenge.
  const early = await connectTo(t, inner);
  early.write(encodeFrame(Command.SEND_TO_ALL, 1, 0, 0, null, 'hijack\n'));
  await early.closed();
  await lineWithin(app, /WM_ERR_LINK_AUTH_FAILED.*command 6 before authenticating/);

  // A wrong proof.
  const wrong = await connectTo(t, inner);
  wrong.write(
    encodeFrame(
      Command.AUTH,
      0,
      0,
      0,
      JSON.stringify({ role: 'client', key: '', proof: '0'.repeat(64) }),
      null,
    ),
  );
  await wrong.closed();

  // Silence: cut after authTimeout.
  const silent = await connectTo(t, inner);
  await silent.closed();
  await lineWithin(app, /WM_ERR_LINK_AUTH_FAILED.*within 1 s \(authTimeout\)/);

  // None of it reached a client, and the gateway still serves.
  assert.deepEqual(await client.call('echo', 'still here'), ['still here']);
  await client.call('sendToAll', 'marker');
  assert.deepEqual(
    await client.next(),
    { text: 'marker' },
    'no frame of an unauthenticated link reached a client',
  );
  assert.equal(client.closed, false);
});
