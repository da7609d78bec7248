// Worker.reusePort under the process manager. Where Node has the option
// (22.12+ / 23.1+), each child of a TCP or UDP worker on a fixed port opens
// its own SO_REUSEPORT socket and the kernel spreads the clients over them;
// the master holds none. On Node 20, and for port 0 or a unix socket on any
// Node, the children share one socket through node:cluster (the master holds
// it) and the master's log says so once, naming the worker.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { StatusReport } from '../../../src/process/status.js';
import { supportsReusePort } from '../../../src/transport/reuse-port.js';
import { managedApp } from '../../helpers/managed-app.js';
import { boundSockets, exited, socketHolders } from '../../helpers/process-state.js';
import { freePort, freeUdpPort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';
import { until } from '../../helpers/until.js';

const SUPPORTED = supportsReusePort();
/** Clients per check: with two SO_REUSEPORT sockets, the chance that all land on one is 2^-39. */
const CLIENTS = 40;
/** A datagram may be dropped: each UDP client asks again this often, up to its deadline. */
const UDP_RETRY_MS = 500;
const UDP_DEADLINE_MS = 20_000;

/** Every child answers any message with its pid. */
const ECHO_PID = '(connection) => connection.send(String(process.pid))';

const FIXED_PORTS_APP = `
const tcp = new Worker('text://127.0.0.1:' + PORT);
tcp.name = 'echo-tcp';
tcp.count = 2;
tcp.reusePort = true;
tcp.onMessage = ${ECHO_PID};
const udp = new Worker('udp://127.0.0.1:' + process.env.UDP_PORT);
udp.name = 'echo-udp';
udp.count = 2;
udp.reusePort = true;
udp.onMessage = ${ECHO_PID};
`;

const FALLBACK_APP = `
const { appendFileSync } = process.getBuiltinModule('node:fs');
const anyPort = new Worker('text://127.0.0.1:0');
anyPort.name = 'any-port';
anyPort.count = 2;
anyPort.reusePort = true;
anyPort.onWorkerStart = async (worker) => {
  await worker.listen();
  appendFileSync(process.env.PORT_FILE, worker.port + '\\n');
};
anyPort.onMessage = ${ECHO_PID};
const local = new Worker('unix://' + process.env.SOCKET_PATH, { protocol: 'text' });
local.name = 'local';
local.count = 2;
local.reusePort = true;
local.onMessage = ${ECHO_PID};
`;

type App = ReturnType<typeof managedApp>;

/**
 * Each worker's child pids, sorted, from `status --json`. The start file
 * reads its addresses from the environment, so every verb runs with it.
 */
async function childPids(app: App, env: Record<string, string>): Promise<Map<string, number[]>> {
  const result = await app.cli(['status', '--json'], env);
  assert.equal(result.code, 0, `status failed: ${result.stderr}`);
  const byWorker = new Map<string, number[]>();
  for (const child of (JSON.parse(result.stdout) as StatusReport).children) {
    byWorker.set(child.worker, [...(byWorker.get(child.worker) ?? []), child.pid]);
  }
  for (const pids of byWorker.values()) pids.sort((x, y) => x - y);
  return byWorker;
}

/** The master's log, once it has logged the start (the fallback lines come before). */
async function startedLog(app: App): Promise<string> {
  return until(() => {
    try {
      const text = readFileSync(join(app.dir, 'app.log'), 'utf8');
      return text.includes(' started: ') && text;
    } catch {
      return false;
    }
  }, 'the master to log its start');
}

function countOf(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Opens `CLIENTS` connections at once; each asks once. Returns the pids that answered. */
async function askStream(connect: () => Promise<TestClient>): Promise<number[]> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, connect));
  try {
    for (const client of clients) client.write('who\n');
    return (await Promise.all(clients.map((client) => client.readLine()))).map(Number);
  } finally {
    for (const client of clients) client.destroy();
  }
}

/** `CLIENTS` UDP sockets (each its own source port) ask once each. Returns the pids that answered. */
function askUdp(t: TestContext, port: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, () => {
      const socket = createSocket('udp4');
      t.after(() => socket.close());
      return new Promise<number>((resolve, reject) => {
        const ask = () => socket.send('who', port, '127.0.0.1');
        const again = setInterval(ask, UDP_RETRY_MS);
        const deadline = setTimeout(() => {
          clearInterval(again);
          reject(new Error(`no UDP answer from port ${port} in ${UDP_DEADLINE_MS} ms`));
        }, UDP_DEADLINE_MS);
        socket.once('message', (reply) => {
          clearInterval(again);
          clearTimeout(deadline);
          resolve(Number(reply.toString()));
        });
        ask();
      });
    }),
  );
}

/**
 * Reusing the port: two sockets bound to it, each held by one child alone
 * (different ones), none by the master. Sharing: one socket, the master's
 * (its children may hold it too, under SCHED_NONE).
 */
function checkSockets(
  port: number,
  kind: 'tcp' | 'udp',
  master: number,
  children: number[],
  ownSockets: boolean,
): void {
  const holders = socketHolders(boundSockets(port, kind), [master, ...children]);
  const seen = JSON.stringify([...holders]);
  if (ownSockets) {
    assert.equal(holders.size, 2, `two ${kind} sockets on ${port}: ${seen}`);
    const owners = [...holders.values()].map((pids) => {
      assert.equal(pids.length, 1, `each ${kind} socket held by one process: ${seen}`);
      return pids[0] as number;
    });
    assert.deepEqual(
      owners.sort((a, b) => a - b),
      children,
      `one per child: ${seen}`,
    );
  } else {
    assert.equal(holders.size, 1, `one shared ${kind} socket on ${port}: ${seen}`);
    assert.ok([...holders.values()][0]?.includes(master), `held by the master: ${seen}`);
  }
}

/** Every answer came from a child; with their own sockets, each child took some clients. */
function checkAnswers(pids: number[], children: number[], spread: boolean, what: string): void {
  assert.equal(pids.length, CLIENTS);
  const byChild = new Map(children.map((pid) => [pid, 0]));
  for (const pid of pids) {
    assert.ok(byChild.has(pid), `${what}: answered by ${pid}, not one of ${children}`);
    byChild.set(pid, (byChild.get(pid) ?? 0) + 1);
  }
  if (spread) {
    for (const [pid, count] of byChild) {
      assert.ok(count > 0, `${what}: child ${pid} took none of ${CLIENTS}: ${[...byChild]}`);
    }
  }
}

test(`reusePort on fixed TCP and UDP ports: ${
  SUPPORTED
    ? 'each child listens on its own socket, also after a reload'
    : 'Node before 22.12 shares through node:cluster and the master logs it once'
}`, { timeout: 120_000 }, async (t) => {
  const app = managedApp(t, FIXED_PORTS_APP);
  const tcpPort = await freePort();
  const udpPort = await freeUdpPort();
  const env = { PORT: String(tcpPort), UDP_PORT: String(udpPort) };
  const started = await app.cli(['start', '-d'], env);
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();

  const check = async (when: string) => {
    const children = await childPids(app, env);
    const tcpChildren = children.get('echo-tcp') ?? [];
    const udpChildren = children.get('echo-udp') ?? [];
    assert.equal(tcpChildren.length, 2, `${when}: two echo-tcp children`);
    assert.equal(udpChildren.length, 2, `${when}: two echo-udp children`);
    checkSockets(tcpPort, 'tcp', master, tcpChildren, SUPPORTED);
    checkSockets(udpPort, 'udp', master, udpChildren, SUPPORTED);
    const tcpAnswers = await askStream(() => TestClient.connect(tcpPort));
    checkAnswers(tcpAnswers, tcpChildren, SUPPORTED, `${when}, tcp`);
    checkAnswers(await askUdp(t, udpPort), udpChildren, SUPPORTED, `${when}, udp`);
    return [...tcpChildren, ...udpChildren];
  };
  const firstChildren = await check('after start');

  const logged = await startedLog(app);
  for (const [name, address] of [
    ['echo-tcp', `text://127.0.0.1:${tcpPort}`],
    ['echo-udp', `udp://127.0.0.1:${udpPort}`],
  ]) {
    const line = `worker "${name}" (${address}): reusePort = true, but it needs Node 22.12+ or 23.1+ (this is ${process.version}); its processes share one socket through node:cluster instead`;
    assert.equal(
      countOf(logged, line),
      SUPPORTED ? 0 : 1,
      `${name}'s fallback line in:\n${logged}`,
    );
  }

  // A replacement opens its own socket beside the one it replaces, then the
  // old child closes its own: once the old ones are gone, the port has one
  // socket per current child again.
  const reloaded = await app.cli(['reload'], env);
  assert.equal(reloaded.code, 0, reloaded.stderr);
  for (const pid of firstChildren) await exited(pid, `replaced child ${pid} to exit`);
  await check('after a reload');
  const afterReload = readFileSync(join(app.dir, 'app.log'), 'utf8');
  assert.equal(
    countOf(afterReload, 'reusePort = true, but'),
    SUPPORTED ? 0 : 2,
    `the fallback is logged once per worker, not again on reload:\n${afterReload}`,
  );

  assert.equal((await app.cli(['stop'], env)).code, 0);
});

test('reusePort on port 0 or a unix socket: shared through node:cluster on every Node, logged once per worker', {
  timeout: 120_000,
}, async (t) => {
  const app = managedApp(t, FALLBACK_APP);
  const portFile = join(app.dir, 'ports');
  const socketPath = join(app.dir, 'local.sock');
  const env = { PORT_FILE: portFile, SOCKET_PATH: socketPath };
  const started = await app.cli(['start', '-d'], env);
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();

  // Both children got the master's one socket, so the same port.
  const ports = readFileSync(portFile, 'utf8').trim().split('\n').map(Number);
  assert.equal(ports.length, 2, `each child wrote its port: ${ports}`);
  assert.equal(ports[0], ports[1], `the children share one port: ${ports}`);
  const port = ports[0] as number;
  assert.ok(port > 0);
  const children = await childPids(app, env);
  const anyPortChildren = children.get('any-port') ?? [];
  const localChildren = children.get('local') ?? [];
  checkSockets(port, 'tcp', master, anyPortChildren, false);
  checkAnswers(await askStream(() => TestClient.connect(port)), anyPortChildren, false, 'port 0');
  checkAnswers(
    await askStream(() => TestClient.connectPath(socketPath)),
    localChildren,
    false,
    'unix socket',
  );

  const logged = await startedLog(app);
  const lines = [
    `worker "any-port" (text://127.0.0.1:0): reusePort = true, but port 0 would bind a different port in each process; its processes share one socket through node:cluster instead`,
    `worker "local" (unix://${socketPath}): reusePort = true, but a unix socket has no port to reuse; its processes share one socket through node:cluster instead`,
  ];
  for (const line of lines) assert.equal(countOf(logged, line), 1, `${line}\nin:\n${logged}`);

  assert.equal((await app.cli(['stop'], env)).code, 0);
});
