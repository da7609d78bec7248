import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { proveKnowledge } from '../../../src/gateway/wire/link-auth.js';
import {
  ErrorCodes,
  Register,
  RegisterClient,
  type RegisterRole,
  setLogSink,
  Worker,
} from '../../../src/index.js';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const KEY = 'cluster-secret-8d1f';
const WRONG_KEY = 'not-the-secret-4c2a';
const clientExit = fileURLToPath(
  new URL('../../fixtures/register-client-exit.ts', import.meta.url),
);

/** A Register in its own process group, started with the real CLI (`start -d`). */
async function startRegister(t: TestContext, settings = '', fixedPort?: number) {
  const port = fixedPort ?? (await freePort());
  const app = managedApp(
    t,
    `const register = new wm.Register('text://127.0.0.1:' + PORT);
register.secretKey = ${JSON.stringify(KEY)};
${settings}`,
  );
  const start = async () => {
    const started = await app.cli(['start', '-d'], { PORT: String(port) });
    assert.equal(started.code, 0, started.stderr);
  };
  await start();
  const log = (): string => {
    try {
      return readFileSync(`${app.dir}/app.log`, 'utf8');
    } catch {
      return '';
    }
  };
  const waitForLog = (pattern: RegExp) =>
    until(() => pattern.test(log()), `register log ${pattern}`);
  const kill = () => process.kill(-app.masterPid(), 'SIGKILL');
  return { app, port, log, waitForLog, start, kill };
}

/** Lines the RegisterClients of this process log. */
function captureLog(t: TestContext): string[] {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  t.after(() => setLogSink(previous));
  return lines;
}

function client(
  t: TestContext,
  ports: number[],
  role: RegisterRole,
  extra: { announce?: string; secretKey?: string; maxReconnectDelay?: number } = {},
) {
  const reports: string[][] = [];
  const registerClient = new RegisterClient({
    registerAddress: ports.map((port) => `text://127.0.0.1:${port}`),
    secretKey: extra.secretKey ?? KEY,
    role,
    ...(extra.announce !== undefined && { announce: extra.announce }),
    ...(role !== 'gateway' && {
      onAddresses: (addresses: string[]) => void reports.push(addresses),
    }),
    reconnectDelay: 0.1,
    maxReconnectDelay: extra.maxReconnectDelay ?? 0.5,
  });
  registerClient.start();
  t.after(() => registerClient.stop());
  const sees = (expected: string[]) =>
    until(
      () => JSON.stringify(registerClient.addresses) === JSON.stringify(expected),
      `addresses ${expected.join(',')} (have ${registerClient.addresses.join(',')})`,
    );
  return { client: registerClient, reports, sees };
}

/** A raw peer: reads the challenge and can answer it like a RegisterClient would, or not. */
async function rawPeer(t: TestContext, port: number) {
  const peer = await TestClient.connect(port);
  t.after(() => peer.destroy());
  const { event, challenge } = JSON.parse(await peer.readLine()) as {
    event: string;
    challenge: string;
  };
  assert.equal(event, 'challenge');
  return { peer, challenge, name: `127.0.0.1:${peer.socket.localPort}` };
}

test('gateways announce, subscribers get every change, and bad peers are cut with a logged reason', {
  timeout: 120_000,
}, async (t) => {
  const register = await startRegister(
    t,
    'register.authTimeout = 1;\nregister.maxPackageSize = 1024;',
  );
  captureLog(t);
  const worker = client(t, [register.port], 'worker');

  const g1 = client(t, [register.port], 'gateway', { announce: '127.0.0.1:2900' });
  await worker.sees(['127.0.0.1:2900']);
  const g2 = client(t, [register.port], 'gateway', { announce: '127.0.0.1:2901' });
  await worker.sees(['127.0.0.1:2900', '127.0.0.1:2901']);
  await g1.client.stop();
  await worker.sees(['127.0.0.1:2901']);
  // One report per change, none for the empty list it started with.
  assert.deepEqual(worker.reports, [
    ['127.0.0.1:2900'],
    ['127.0.0.1:2900', '127.0.0.1:2901'],
    ['127.0.0.1:2901'],
  ]);

  // A gateway with the wrong secret is refused and never listed.
  client(t, [register.port], 'gateway', { announce: '127.0.0.1:2999', secretKey: WRONG_KEY });
  await register.waitForLog(
    /register: closed 127\.0\.0\.1:\d+: WM_ERR_LINK_AUTH_FAILED: wrong proof for gateway_connect/,
  );

  // Silent after the challenge: cut after authTimeout.
  const silent = await rawPeer(t, register.port);
  await silent.peer.closed();
  await register.waitForLog(new RegExp(`register: auth timeout from ${silent.name}\\n`));

  // A line before the answer, garbage, an unknown event: each cut with its reason.
  const cases: [string, RegExp][] = [
    ['{"event":"ping"}', /ping before authentication/],
    ['{nope', /malformed JSON/],
    ['{"event":"subscribe"}', /unknown event "subscribe"/],
  ];
  for (const [line, reason] of cases) {
    const { peer, name } = await rawPeer(t, register.port);
    peer.write(`${line}\n`);
    await peer.closed();
    await register.waitForLog(new RegExp(`register: closed ${name}: ${reason.source}`));
  }

  // maxPackageSize 1024: an answer padded to exactly 1024 bytes is taken, 1025 is cut.
  const answer = (challenge: string, bytes: number) => {
    const json = JSON.stringify({
      event: 'client_connect',
      proof: proveKnowledge(KEY, challenge, 'client', ''),
    });
    return `${json.padEnd(bytes - 1, ' ')}\n`;
  };
  const fits = await rawPeer(t, register.port);
  fits.peer.write(answer(fits.challenge, 1024));
  assert.deepEqual(JSON.parse(await fits.peer.readLine()), {
    event: 'broadcast_addresses',
    addresses: ['127.0.0.1:2901'],
  });
  // Authenticated: pings get no answer; anything else is cut.
  fits.peer.write('{"event":"ping"}\n{"event":"ping"}\n{"event":"worker_connect","proof":""}\n');
  await fits.peer.closed();
  assert.equal(fits.peer.buffered.length, 0);
  await register.waitForLog(
    new RegExp(`closed ${fits.name}: unexpected worker_connect after authentication`),
  );
  const over = await rawPeer(t, register.port);
  over.peer.write(answer(over.challenge, 1025));
  await over.peer.closed();
  await register.waitForLog(
    new RegExp(`closed ${over.name}: WM_ERR_PACKAGE_TOO_LARGE: .*maxPackageSize 1024`),
  );

  // The others never noticed: the worker still gets the next change, without 2999.
  client(t, [register.port], 'gateway', { announce: '127.0.0.1:2902' });
  await worker.sees(['127.0.0.1:2901', '127.0.0.1:2902']);
  await g2.client.stop();
  await worker.sees(['127.0.0.1:2902']);
  const log = register.log();
  assert.ok(!log.includes(KEY) && !log.includes(WRONG_KEY), 'the log never holds a key');
  assert.doesNotMatch(log, /[0-9a-f]{64}/, 'the log never holds a proof');
});

test('with two registers a worker gets the union, and keeps it while one is down', {
  timeout: 120_000,
}, async (t) => {
  const r1 = await startRegister(t);
  const r2 = await startRegister(t);
  const logged = captureLog(t);
  const both = [r1.port, r2.port];
  client(t, both, 'gateway', { announce: '127.0.0.1:2900' });
  const onlyR2 = client(t, [r2.port], 'gateway', { announce: '127.0.0.1:2901' });
  const worker = client(t, both, 'worker');
  await worker.sees(['127.0.0.1:2900', '127.0.0.1:2901']);

  // r2 dies: its three links notice, and the worker keeps r2's last list.
  const reportsBefore = worker.reports.length;
  r2.kill();
  const lost = new RegExp(`lost register 127\\.0\\.0\\.1:${r2.port};`);
  await until(() => logged.filter((line) => lost.test(line)).length === 3, 'three links losing r2');
  assert.deepEqual(worker.client.addresses, ['127.0.0.1:2900', '127.0.0.1:2901']);
  // The gateway only r2 knew goes while r2 is down: still listed (the documented cost).
  await onlyR2.client.stop();
  assert.deepEqual(worker.client.addresses, ['127.0.0.1:2900', '127.0.0.1:2901']);

  // r2 is back: the links reconnect, the gateway re-announces, r2's fresh list replaces its old one.
  await r2.start();
  await worker.sees(['127.0.0.1:2900']);
  const back = new RegExp(`register 127\\.0\\.0\\.1:${r2.port} is reachable again`);
  await until(() => logged.filter((line) => back.test(line)).length === 2, 'both links back on r2');
  const fresh = client(t, [r2.port], 'client');
  await fresh.sees(['127.0.0.1:2900']);
  // One report in all since r2 died: when its fresh list came.
  assert.deepEqual(worker.reports.slice(reportsBefore), [['127.0.0.1:2900']]);
});

test('a stopped RegisterClient leaves nothing running: its process exits on its own', {
  timeout: 60_000,
}, async (t) => {
  const register = await startRegister(t);
  const gateway = client(t, [register.port], 'gateway', { announce: '127.0.0.1:2900' });
  const deadPort = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', clientExit], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      REGISTERS: `127.0.0.1:${register.port},127.0.0.1:${deadPort}`,
      MISSING: `127.0.0.1:${deadPort}`,
      KEY,
    },
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk));
  // Bounded here, so a process kept alive fails this test and is killed by its cleanup.
  const [code] = await once(child, 'exit', { signal: AbortSignal.timeout(30_000) }).catch(() => {
    throw new Error(`the client process did not exit after stop(): ${out}${errors}`);
  });
  assert.equal(code, 0, out + errors);
  // The register that is not there was reported (and retried) before the stop.
  assert.match(
    errors,
    new RegExp(
      `register 127\\.0\\.0\\.1:${deadPort} not reachable since start; retrying every 0.4 s`,
    ),
  );
  assert.match(out, /addresses 127\.0\.0\.1:2900\nstopped\n/);
  await gateway.client.stop();
});

test('a register is one process, checks its settings, and refuses connections over maxConnections', async (t) => {
  const register = new Register('text://127.0.0.1:0');
  assert.equal(register.name, 'Register');
  assert.equal(register.reloadable, false);
  register.count = 1;
  assert.throws(
    () => {
      register.count = 2;
    },
    { code: ErrorCodes.INVALID_OPTION, message: /must be 1/ },
  );
  assert.equal(register.count, 1);
  const workers = Worker.getAllWorkers().length;
  assert.throws(() => new Register('udp://127.0.0.1:0'), { code: ErrorCodes.INVALID_OPTION });
  assert.equal(Worker.getAllWorkers().length, workers, 'a refused register is not left for runAll');
  register.authTimeout = 0;
  register.maxConnections = 1.5;
  await assert.rejects(register.listen(), {
    code: ErrorCodes.INVALID_OPTION,
    message: /authTimeout.*maxConnections/,
  });

  register.authTimeout = 10;
  register.maxConnections = 2;
  const logged = captureLog(t);
  await register.listen();
  t.after(() => register.stop());
  const first = await rawPeer(t, register.port);
  const second = await rawPeer(t, register.port);
  const third = await TestClient.connect(register.port);
  t.after(() => third.destroy());
  await third.closed();
  assert.equal(third.buffered.length, 0);
  assert.ok(
    logged.some((line) =>
      /register: refused 127\.0\.0\.1:\d+: maxConnections \(2\) reached/.test(line),
    ),
  );
  // The two within the bound are untouched.
  for (const { peer, challenge } of [first, second]) {
    peer.write(
      `${JSON.stringify({ event: 'worker_connect', proof: proveKnowledge('', challenge, 'worker', '') })}\n`,
    );
    assert.deepEqual(JSON.parse(await peer.readLine()), {
      event: 'broadcast_addresses',
      addresses: [],
    });
  }
});

test('a register that comes up after its clients is no outage: nothing is logged, the lists arrive', {
  timeout: 60_000,
}, async (t) => {
  const logged = captureLog(t);
  const port = await freePort();
  // Nothing listens on the port yet: every client's first connect is refused.
  // The backoff (0.1 s doubling to 10 s) stays below its cap for 12.7 s.
  client(t, [port], 'gateway', { announce: '127.0.0.1:2900', maxReconnectDelay: 10 });
  const worker = client(t, [port], 'worker', { maxReconnectDelay: 10 });
  await startRegister(t, '', port);
  await worker.sees(['127.0.0.1:2900']);
  const aboutIt = logged.filter((line) => line.includes(`127.0.0.1:${port}`));
  assert.deepEqual(aboutIt, [], 'a register late at start is not reported');
});
