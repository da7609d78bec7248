import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { freePort } from './start-file.js';

/**
 * Spawns a private redis-server on a free loopback port (no disk
 * persistence) and resolves once it accepts commands; `stop` ends it.
 */
export async function spawnRedis(): Promise<{
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  };
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout?.resume();
  return { port, child, stop };
}

/** A private redis-server (see `spawnRedis`), stopped at test end; resolves with its port. */
export async function startRedis(t: TestContext): Promise<number> {
  const redis = await spawnRedis();
  t.after(() => redis.stop());
  return redis.port;
}
