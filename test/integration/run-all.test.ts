import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TestClient } from '../helpers/test-client.js';

const app = fileURLToPath(new URL('../fixtures/run-all-app.ts', import.meta.url));

test('`node app.js start` runs in the foreground, survives a throwing callback and stops on Ctrl-C', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', app, 'start'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const output: string[] = [];
  let wake: (() => void) | null = null;
  createInterface({ input: child.stdout }).on('line', (line) => {
    output.push(line);
    wake?.();
  });
  const nextLineMatching = async (pattern: RegExp): Promise<string> => {
    for (let seen = 0; ; ) {
      for (; seen < output.length; seen++) {
        const line = output[seen] as string;
        if (pattern.test(line)) return line;
      }
      if (child.exitCode !== null) throw new Error(`exited; output: ${output.join(' | ')}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const ports = JSON.parse(await nextLineMatching(/^\{/)) as { main: number; inner: number };
  assert.ok(ports, `no ports printed; stderr: ${stderr}`);

  const main = await TestClient.connect(ports.main);
  const inner = await TestClient.connect(ports.inner);
  t.after(() => {
    main.destroy();
    inner.destroy();
  });
  main.write('crash\nhello\n');
  assert.equal(await main.readLine(), 'main:hello');
  inner.write('hi\n');
  assert.equal(await inner.readLine(), 'inner:hi');
  assert.match(stderr, /onMessage failed .*boom in onMessage/s);

  // Ctrl-C in a terminal signals the whole foreground process group.
  const exited = once(child, 'exit');
  process.kill(-(child.pid as number), 'SIGINT');
  await nextLineMatching(/^onWorkerStop ran$/);
  const [code] = await exited;
  assert.equal(code, 0);
  await main.closed();
});
