import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { askMaster } from '../../../src/process/control-client.js';
import { isAlive } from '../../../src/process/pid-file.js';
import { managedApp } from '../../helpers/managed-app.js';
import { controlConnection, exited, whileFrozen } from '../../helpers/process-state.js';
import { freePort } from '../../helpers/start-file.js';
import { until } from '../../helpers/until.js';

// The crash-backoff test's app: an echo worker, and a worker whose child is
// ready and then dies at once, again and again.
const CRASH_LOOP_APP = `
const echo = new Worker('text://127.0.0.1:' + PORT);
echo.name = 'echo';
echo.onMessage = (connection, line) => { connection.send(line); };
const crasher = new Worker();
crasher.name = 'crasher';
crasher.onWorkerStart = () => { setTimeout(() => process.exit(3), 20); };
`;

const STATUS_REQUESTS = 3000;
const POLLERS = 12;

async function startCrashLoop(t: Parameters<typeof managedApp>[0]) {
  const port = await freePort();
  const app = managedApp(t, CRASH_LOOP_APP);
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  return { app, master: app.masterPid(), socket: app.pidFile.replace(/\.pid$/, '.sock') };
}

test('status polled hard on the control socket while a child crash-loops: the master answers every request and survives', {
  timeout: 180_000,
}, async (t) => {
  const { app, master, socket } = await startCrashLoop(t);
  let sent = 0;
  let answered = 0;
  const failures: string[] = [];
  const poll = async () => {
    while (sent < STATUS_REQUESTS && isAlive(master)) {
      sent++;
      try {
        await askMaster(socket, { cmd: 'status' });
        answered++;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: POLLERS }, poll));
  assert.ok(
    isAlive(master),
    `the master died; its log:\n${readFileSync(`${app.dir}/app.log`, 'utf8')}`,
  );
  assert.deepEqual(failures.slice(0, 5), []);
  assert.equal(answered, STATUS_REQUESTS);
  assert.equal((await app.cli(['stop'])).code, 0);
});

/**
 * A child that has just died still looks connected to the master until the
 * master reads the end of its IPC channel; a message written then fails with
 * EPIPE. Freezing the master makes that window certain: the request is
 * queued, then the child dies, and the master wakes to both, request first.
 */
async function requestJustAfterChildDied(
  t: Parameters<typeof managedApp>[0],
  request: object,
): Promise<{ app: ReturnType<typeof managedApp>; master: number; victim: number }> {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const echo = new Worker('text://127.0.0.1:' + PORT);
echo.name = 'echo';
echo.count = 2;
echo.onMessage = (connection, line) => { connection.send(line); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);
  const master = app.masterPid();
  const socket = app.pidFile.replace(/\.pid$/, '.sock');
  const victim = (await app.status()).children[0]?.pid as number;
  const connection = await controlConnection(socket);
  t.after(() => connection.socket.destroy());
  // Answered after the connection above was accepted: it is ready for a request.
  await askMaster(socket, { cmd: 'status' });
  await whileFrozen(master, async () => {
    connection.send(request);
    process.kill(victim, 'SIGKILL');
    await exited(victim, 'the child to die');
  });
  return { app, master, victim };
}

test('a status request that reaches the master just after a child died is answered, and the child is restarted', {
  timeout: 120_000,
}, async (t) => {
  const { app, master, victim } = await requestJustAfterChildDied(t, { cmd: 'status' });
  const report = await until(async () => {
    const status = await app.status().catch((error: Error) => {
      // The master's own output (a crash's stack) is in the daemon's stdout file.
      const output = readFileSync(`${app.dir}/stdout.log`, 'utf8');
      throw new Error(`${error.message}; master alive: ${isAlive(master)}; its output:\n${output}`);
    });
    return status.children.length === 2 && !status.children.some((c) => c.pid === victim)
      ? status
      : undefined;
  }, 'the killed child to be replaced');
  assert.deepEqual(report.exitStatus.echo, { SIGKILL: 1 });
  assert.equal((await app.cli(['stop'])).code, 0);
});

test('a stop request that reaches the master just after a child died stops everything cleanly', {
  timeout: 120_000,
}, async (t) => {
  const { app, master } = await requestJustAfterChildDied(t, { cmd: 'stop', graceful: false });
  await until(() => !isAlive(master), 'the master to exit');
  const log = readFileSync(`${app.dir}/app.log`, 'utf8');
  assert.match(log, /pid:\d+ stopped$/m, log);
  assert.equal(existsSync(app.pidFile), false, 'pid file removed');
  assert.equal(existsSync(app.pidFile.replace(/\.pid$/, '.sock')), false, 'control socket removed');
});
