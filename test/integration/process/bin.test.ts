// The `workerman-ts` command: status, connections, reload and stop of a
// running master, found by its start file's name (or --pid-file), without
// loading the app.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startFilePaths } from '../../../src/cli/paths.js';
import { isAlive, readPidFile } from '../../../src/process/pid-file.js';
import type { StatusReport } from '../../../src/process/status.js';
import { type CliResult, managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

const BIN = fileURLToPath(new URL('../../../src/cli/bin.ts', import.meta.url));
const SRC = fileURLToPath(new URL('../../../src/index.js', import.meta.url));

function bin(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', BIN, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

test("status, connections, reload and stop through the command, with the app's --pid-file", async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
// The command must not load the app: this would fail it.
if (!process.env.WORKERMAN_APP) throw new Error('the app was loaded');
const w = new Worker('text://127.0.0.1:' + PORT);
w.name = 'echo';
w.count = 2;
w.onMessage = (connection, line) => { connection.send(line); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port), WORKERMAN_APP: '1' });
  assert.equal(started.code, 0, started.stderr);
  const pidFile = ['--pid-file', app.pidFile];

  const client = await TestClient.connect(port);
  t.after(() => client.destroy());
  client.write('x\n');
  assert.equal(await client.readLine(), 'x');

  const json = await bin(['status', app.startFile, '--json', ...pidFile]);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout) as StatusReport;
  assert.equal(report.masterPid, app.masterPid());
  assert.equal(report.children.length, 2);

  const table = await bin(['status', app.startFile, ...pidFile]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /packet_err\s+timestamp/);
  assert.match(table.stdout, /^Summary/m);

  const connections = await bin(['connections', app.startFile, ...pidFile]);
  assert.equal(connections.code, 0, connections.stderr);
  assert.match(connections.stdout, new RegExp(`127\\.0\\.0\\.1:${client.socket.localPort}`));

  const reloaded = await bin(['reload', app.startFile, ...pidFile]);
  assert.equal(reloaded.code, 0, reloaded.stderr);
  assert.match(reloaded.stdout, /reload done: 2 process\(es\) replaced/);

  const master = app.masterPid();
  const stopped = await bin(['stop', app.startFile, ...pidFile]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /stop success/);
  assert.equal(isAlive(master), false);

  const after = await bin(['status', app.startFile, ...pidFile]);
  assert.equal(after.code, 1);
  assert.match(after.stderr, /not run/);
});

test('without --pid-file the command finds the master by the start file, as the app does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wm-bin-'));
  const startFile = join(dir, 'app.ts');
  writeFileSync(
    startFile,
    `import { Worker } from ${JSON.stringify(SRC)};\n` +
      `Worker.stdoutFile = ${JSON.stringify(join(dir, 'stdout.log'))};\n` +
      `new Worker('text://127.0.0.1:0');\nWorker.runAll();\n`,
  );
  // The default files in the temp directory: known before the start, so the
  // cleanup finds the master (and removes the log) whatever fails.
  const paths = startFilePaths(startFile);
  t.after(() => {
    const pid = readPidFile(paths.pidFile);
    if (pid > 0 && isAlive(pid)) process.kill(-pid, 'SIGKILL');
    for (const file of [paths.pidFile, paths.controlSocket, paths.logFile, `${paths.logFile}.1`]) {
      rmSync(file, { force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const start = await new Promise<CliResult>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', startFile, 'start', '-d'],
      { timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
    );
  });
  assert.equal(start.code, 0, start.stderr);
  const status = await bin(['status', startFile, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout) as StatusReport;
  assert.equal(report.masterPid, readPidFile(paths.pidFile));
  const stopped = await bin(['stop', startFile]);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(isAlive(report.masterPid), false);
});

test('a command line the command cannot use prints the usage and exits 64', async () => {
  for (const args of [[], ['status'], ['start', 'app.ts'], ['status', 'app.ts', '--pid-file']]) {
    const result = await bin(args);
    assert.equal(result.code, 64, args.join(' '));
    assert.match(result.stderr, /Usage: workerman-ts/);
  }
});
