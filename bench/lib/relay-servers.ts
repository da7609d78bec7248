// The three servers of bench/gateway.ts, each started as users start it, and
// the processes whose CPU time and memory count as the server's.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnRedis } from '../../test/helpers/redis-server.js';
import { freePort } from '../../test/helpers/start-file.js';
import { processTree, startScript, stop } from './processes.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface RunningServer {
  port: number;
  /** Every process of the server (for socket.io, redis-server too). */
  pids: number[];
  stop(): Promise<void>;
}

export const SERVER_NAMES = ['workerman-ts gateway', 'socket.io 4 + redis', 'ws'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

/** What each server is, for the table's notes. */
export const SERVER_SHAPES: Record<ServerName, string> = {
  'workerman-ts gateway':
    'master + register + 2 gateway processes + 2 business workers (6 processes)',
  'socket.io 4 + redis':
    'node:cluster primary + 2 workers with @socket.io/redis-adapter + redis-server (4 processes)',
  ws: 'one process, `send` to each client',
};

export function startServer(name: ServerName): Promise<RunningServer> {
  switch (name) {
    case 'workerman-ts gateway':
      return startGatewayCluster();
    case 'socket.io 4 + redis':
      return startSocketIo();
    case 'ws':
      return startWs();
  }
}

/**
 * `node --import tsx bench/servers/gateway-cluster.ts start` in its own
 * process group and private TMPDIR (pid file, log). `GATEWAY_CPU_PROF=<dir>`
 * runs the master with `--cpu-prof` there, and so its children (they inherit
 * its execArgv); the profiles are written as
 * the processes exit, so the cluster is stopped with SIGINT first.
 */
async function startGatewayCluster(): Promise<RunningServer> {
  const port = await freePort();
  const privateTmp = mkdtempSync(join(tmpdir(), 'wm-bench-'));
  const profileDir = process.env.GATEWAY_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--import',
      'tsx',
      here('../servers/gateway-cluster.ts'),
      'start',
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        TMPDIR: privateTmp,
        REGISTER_PORT: String(await freePort()),
        GATEWAY_PORT: String(port),
      },
    },
  );
  const output: string[] = [];
  let started: () => void = () => {};
  const success = new Promise<void>((resolve) => (started = resolve));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (/Start success/.test(line)) started();
    });
  }
  const exited = once(child, 'exit').then(() => {
    throw new Error(`gateway cluster exited: ${output.join(' | ')}`);
  });
  await Promise.race([success, exited]);
  exited.catch(() => {});
  // The register, 2 gateway and 2 business worker processes under the master.
  let pids = processTree(child.pid as number);
  for (let i = 0; i < 100 && pids.length < 6; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    pids = processTree(child.pid as number);
  }
  if (pids.length < 6) throw new Error(`gateway cluster has ${pids.length} processes, not 6`);
  return {
    port,
    pids,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = once(child, 'exit');
        child.kill('SIGINT');
        const timer = setTimeout(() => killGroup(child), 15_000);
        await gone;
        clearTimeout(timer);
      }
      killGroup(child); // Whatever is left of the group.
      rmSync(privateTmp, { recursive: true, force: true });
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function startSocketIo(): Promise<RunningServer> {
  const redis = await spawnRedis();
  try {
    const { child, ready } = await startScript<{ port: number; pids: number[] }>(
      here('../servers/relay-socketio.ts'),
      [],
      { REDIS_PORT: String(redis.port), NODE_CLUSTER_SCHED_POLICY: 'none' },
    );
    return {
      port: ready.port,
      pids: [...ready.pids, redis.child.pid as number],
      async stop() {
        await stop(child); // SIGKILL to the primary: its workers see the IPC channel close and exit.
        for (const pid of ready.pids.slice(1)) await waitGone(pid);
        await redis.stop();
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}

async function startWs(): Promise<RunningServer> {
  const { child, ready } = await startScript<{ port: number; pids: number[] }>(
    here('../servers/relay-ws.ts'),
  );
  return { port: ready.port, pids: ready.pids, stop: () => stop(child) };
}

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone after all.
  }
}
