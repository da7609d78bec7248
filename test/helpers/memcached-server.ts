import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { TestContext } from 'node:test';
import { freePort } from './start-file.js';
import { until } from './until.js';

/**
 * Starts a private memcached on a free loopback port (TCP only, `-U 0`),
 * waits until it accepts a connection, and stops it at test end. Memcached
 * refuses to run as root unless told which user to become, so as root it
 * runs as `nobody`.
 */
export async function startMemcached(t: TestContext): Promise<number> {
  const port = await freePort();
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0'];
  if (process.getuid?.() === 0) args.push('-u', 'nobody');
  const child: ChildProcess = spawn('memcached', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.once('error', (error) => {
    output += error.message; // not installed: scripts/test.sh installs the Debian package
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  await until(async () => {
    if (child.exitCode !== null || output.includes('ENOENT'))
      throw new Error(`memcached exited (${child.exitCode}): ${output}`);
    return accepts(port);
  }, `memcached on port ${port}`);
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
