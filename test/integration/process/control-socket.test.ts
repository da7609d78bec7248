import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { MAX_CONTROL_LINE_BYTES } from '../../../src/process/control-socket.js';
import { managedApp } from '../../helpers/managed-app.js';

/**
 * Sends `text` and half-closes at once, as `socat` and `nc -N` do; resolves
 * with every line the master sent before it closed.
 */
function askHalfClosed(path: string, text: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path, allowHalfOpen: true });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within 30 s; received: ${received}`));
    }, 30_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(
        received
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      );
    });
    socket.end(text);
  });
}

test('the control socket answers requests whose sender half-closed, in order; unknown or malformed ones get ok:false', {
  timeout: 60_000,
}, async (t) => {
  const app = managedApp(t, 'const w = new Worker();\nw.name = "plain";\n');
  const started = await app.cli(['start', '-d']);
  assert.equal(started.code, 0, started.stderr);
  const socket = app.pidFile.replace(/\.pid$/, '.sock');

  // The socat example of docs/cli.md.
  const [status] = await askHalfClosed(socket, '{"cmd":"status"}\n');
  assert.equal(status?.ok, true);
  assert.equal((status?.status as { processes: number } | undefined)?.processes, 1);

  // Without the final newline, too.
  const [bare] = await askHalfClosed(socket, '{"cmd":"connections"}');
  assert.deepEqual(bare, { ok: true, connections: [] });

  const replies = await askHalfClosed(
    socket,
    [
      '{"cmd":"shutdown-everything"}',
      'not json',
      '[1,2]',
      '{"cmd":"stop","graceful":"yes"}',
      '{"cmd":"status"}',
      '',
    ].join('\n'),
  );
  assert.equal(replies.length, 5);
  assert.deepEqual(replies[0], {
    ok: false,
    error: 'unknown command "shutdown-everything"; known: status, connections, reload, stop',
  });
  assert.deepEqual(replies[1], { ok: false, error: 'not JSON' });
  assert.equal(replies[2]?.ok, false);
  assert.deepEqual(replies[3], { ok: false, error: '"graceful" must be true or false' });
  assert.equal(replies[4]?.ok, true);

  // A line past the bound is refused; the master goes on.
  const [tooLong] = await askHalfClosed(socket, 'x'.repeat(MAX_CONTROL_LINE_BYTES + 10));
  assert.deepEqual(tooLong, {
    ok: false,
    error: `request longer than ${MAX_CONTROL_LINE_BYTES} bytes`,
  });
  const [after] = await askHalfClosed(socket, '{"cmd":"status"}\n');
  assert.equal(after?.ok, true);

  assert.equal((await app.cli(['stop'])).code, 0);
});
