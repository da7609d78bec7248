import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { managedApp } from '../../helpers/managed-app.js';
import { freePort } from '../../helpers/start-file.js';
import { TestClient } from '../../helpers/test-client.js';

const CLEAR = '\x1b[2J\x1b[H';

/** total_request summed over the process rows of one status frame. */
function totalRequests(frame: string): number {
  const lines = frame.split('\n');
  const header = lines.findIndex((line) => line.startsWith('pid '));
  let total = 0;
  for (const line of lines.slice(header + 1)) {
    const cells = line.trim().split(/\s+/);
    if (!/^\d+$/.test(cells[0] ?? '')) break;
    total += Number(cells[8]);
  }
  return total;
}

test('status -d redraws the table every second with live figures until interrupted', async (t) => {
  const port = await freePort();
  const app = managedApp(
    t,
    `
const w = new Worker('text://127.0.0.1:' + PORT);
w.count = 2;
w.onMessage = (connection, line) => { connection.send(line); };
`,
  );
  const started = await app.cli(['start', '-d'], { PORT: String(port) });
  assert.equal(started.code, 0, started.stderr);

  const live = spawn(process.execPath, ['--import', 'tsx', app.startFile, 'status', '-d'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => live.kill('SIGKILL'));
  const exited = once(live, 'exit');
  let output = '';
  let wake: (() => void) | null = null;
  live.stdout.setEncoding('utf8');
  live.stdout.on('data', (chunk: string) => {
    output += chunk;
    wake?.();
  });
  // Complete frames: each starts with a clear-screen and ends with the prompt.
  const frames = () =>
    output
      .split(CLEAR)
      .slice(1)
      .filter((frame) => frame.includes('Press Ctrl+C to quit.'));
  const nextFrame = async (after: number): Promise<string> => {
    while (frames().length <= after) {
      if (live.exitCode !== null) throw new Error(`status -d exited early: ${output}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    return frames()[after] as string;
  };

  const first = await nextFrame(0);
  assert.match(first, /GLOBAL STATUS/);
  assert.equal(totalRequests(first), 0);

  const client = await TestClient.connect(port);
  t.after(() => client.socket.destroy());
  for (const line of ['a', 'b', 'c']) {
    client.write(`${line}\n`);
    assert.equal(await client.readLine(), line);
  }
  // A later frame shows the three requests: the view is live, not a snapshot.
  let seen = 1;
  let frame = await nextFrame(seen);
  while (totalRequests(frame) < 3) frame = await nextFrame(++seen);
  assert.equal(totalRequests(frame), 3);

  live.kill('SIGINT');
  const [code, signal] = await exited;
  assert.ok(code !== null || signal === 'SIGINT', `ended by Ctrl-C: ${code} ${signal}`);
  assert.equal((await app.cli(['stop'])).code, 0);
});
