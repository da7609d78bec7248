// Reload under HTTP keep-alive traffic: requests lost by six reloads in a
// row, workerman-ts (`reload`, `reload -g`) against a hand-written
// node:cluster reload (fork, then disconnect the old worker), 2 processes
// each. The clients are the ones of the reload tests
// (test/helpers/http-load.ts): 3 loops on one http.Agent({ keepAlive: true })
// and 3 on fetch (undici), each sending a request every few milliseconds
// (one in five answered 15 ms later), never retrying. The servers answer
// with their pid and the path; a lost request is one that got no answer.
//
//   flock /tmp/workerman-bench.lock node --import tsx bench/reload-http.ts [reloads]
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { askMaster } from '../src/process/control-client.js';
import { isAlive } from '../src/process/pid-file.js';
import type { StatusReport } from '../src/process/status.js';
import { type HttpLoadResult, httpLoad } from '../test/helpers/http-load.js';
import { freePort } from '../test/helpers/start-file.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const reloads = Number(process.argv[2] ?? 6);
const pidFile = join(tmpdir(), `workerman-bench-reload-http-${process.pid}.pid`);
const controlSocket = pidFile.replace(/\.pid$/, '.sock');

interface Server {
  port: number;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

async function startManaged(graceful: boolean): Promise<Server> {
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', here('./servers/managed-http.ts'), 'start', '-d', '-q'],
      { env: { ...process.env, PIDFILE: pidFile, PORT: String(port), COUNT: '2' } },
      (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve()),
    );
  });
  const { status } = (await askMaster(controlSocket, { cmd: 'status' })) as {
    status: StatusReport;
  };
  return {
    port,
    async reload() {
      await askMaster(controlSocket, { cmd: 'reload', graceful });
    },
    async stop() {
      await askMaster(controlSocket, { cmd: 'stop', graceful: false });
      while (isAlive(status.masterPid)) await new Promise((resolve) => setTimeout(resolve, 20));
      rmSync(pidFile.replace(/\.pid$/, '.log'), { force: true });
    },
  };
}

async function startNaive(): Promise<Server> {
  const port = await freePort();
  const child: ChildProcess = fork(here('./servers/naive-cluster-http.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PORT: String(port), COUNT: '2' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return {
    port,
    async reload() {
      const done = once(child, 'message');
      child.send('reload');
      await done;
    },
    async stop() {
      // Killing the primary's group would take the test runner too: kill
      // the primary; its workers exit when their IPC channel closes.
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function measure(
  start: () => Promise<Server>,
): Promise<HttpLoadResult & { reloadSeconds: number }> {
  const server = await start();
  try {
    const load = httpLoad(server.port, { agent: 3, fetch: 3, short: 0 });
    let reloadMs = 0;
    for (let round = 0; round < reloads; round++) {
      const before = load.result.ok;
      while (load.result.ok < before + 500) await new Promise((r) => setTimeout(r, 20));
      const started = performance.now();
      await server.reload();
      reloadMs += performance.now() - started;
    }
    const before = load.result.ok;
    while (load.result.ok < before + 500) await new Promise((r) => setTimeout(r, 20));
    const result = await load.stop();
    return { ...result, reloadSeconds: reloadMs / reloads / 1000 };
  } finally {
    await server.stop();
  }
}

const rows = [
  `| server (2 processes), ${reloads} reloads | requests answered | lost (no answer) | refused | reset | loss rate | s per reload |`,
  '| --- | --- | --- | --- | --- | --- | --- |',
];
for (const [name, start] of [
  ['node:cluster, fork + disconnect', startNaive],
  ['workerman-ts `reload`', () => startManaged(false)],
  ['workerman-ts `reload -g`', () => startManaged(true)],
] as const) {
  const r = await measure(start);
  const lost = r.failed + r.refused + r.reset;
  const rate = lost > 0 ? `1 in ${Math.round((r.ok + lost) / lost)}` : '0';
  rows.push(
    `| ${name} | ${r.ok} | ${r.failed} | ${r.refused} | ${r.reset} | ${rate} | ${r.reloadSeconds.toFixed(2)} |`,
  );
  if (r.errors.length > 0) process.stderr.write(`${name}: ${r.errors.slice(0, 3).join('; ')}\n`);
}
process.stdout.write(`${rows.join('\n')}\n`);
