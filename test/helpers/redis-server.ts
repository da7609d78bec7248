import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { freePort } from './start-file.js';

/** A private redis-server the test may kill and start again on the same port. */
export interface RedisServer {
  readonly port: number;
  /** SIGKILL: the server vanishes as in a crash; its data (none on disk) is gone. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port; resolves once it accepts commands. */
  start(): Promise<void>;
}

/**
 * Spawns redis-server on `port` of 127.0.0.1 (no disk persistence) and
 * resolves once it accepts commands; a server that fails to start is
 * stopped and the promise rejects with its output.
 */
async function spawnRedisOn(port: number): Promise<ChildProcess> {
  const child = spawn(
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
    await stopProcess(child, 'SIGTERM');
    throw error;
  }
  child.stdout?.resume();
  return child;
}

async function stopProcess(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (child === null || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

/** A private redis-server on a free loopback port, for benchmarks and tests; `stop` ends it. */
export async function spawnRedis(): Promise<{
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const child = await spawnRedisOn(port);
  return { port, child, stop: () => stopProcess(child, 'SIGTERM') };
}

/** A private redis-server (see `spawnRedis`), stopped at test end; resolves with its port. */
export async function startRedis(t: TestContext): Promise<number> {
  return (await startRedisServer(t)).port;
}

/** As `startRedis`, with a handle to kill and restart the server (a Redis outage). */
export async function startRedisServer(t: TestContext): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = await spawnRedisOn(port);
  t.after(() => stopProcess(child, 'SIGTERM'));
  return {
    port,
    async kill() {
      const running = child;
      child = null;
      await stopProcess(running, 'SIGKILL');
    },
    async start() {
      if (child !== null) throw new Error(`redis-server on ${port} is running already`);
      child = await spawnRedisOn(port);
    },
  };
}
