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
 * Starts a private redis-server on a free loopback port (no disk
 * persistence), waits until it accepts commands, and stops it at test end.
 */
export async function startRedis(t: TestContext): Promise<number> {
  return (await startRedisServer(t)).port;
}

/** As `startRedis`, with a handle to kill and restart the server (a Redis outage). */
export async function startRedisServer(t: TestContext): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const stop = async (signal: NodeJS.Signals) => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };
  t.after(() => stop('SIGTERM'));
  const start = async () => {
    if (child !== null) throw new Error(`redis-server on ${port} is running already`);
    const started = spawn(
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
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
    started.stdout?.resume();
  };
  await start();
  return { port, kill: () => stop('SIGKILL'), start };
}
