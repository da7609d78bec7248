import { nodeCluster } from '../builtins.js';
import { parseAddress } from '../transport/address.js';
import { reusePortFallbackReason } from '../transport/reuse-port.js';
import { removeStaleSocket } from '../transport/unix.js';
import type { Worker } from '../worker/worker.js';

/**
 * How the children of one worker share its listening socket.
 *
 * - `Worker.reusePort = true` on Node 22.12+ / 23.1+, for a TCP, TLS or UDP
 *   listener on a fixed port: each child opens its own SO_REUSEPORT socket
 *   (exclusive, so node:cluster leaves it alone) and the kernel spreads new
 *   connections over them by a hash of the peer's address and port.
 * - Otherwise (the default; Node 20, a unix socket, port 0, or a `user` with
 *   a port only root may bind, see reusePortFallbackReason) every child goes
 *   through node:cluster: the master owns the socket and either accepts and
 *   hands each connection round robin (`SCHED_RR`) or passes the socket
 *   itself and lets the kernel wake one child (`SCHED_NONE`).
 * - The default is SCHED_NONE, by measurement (bench/process-sharing.ts,
 *   Node 20.20, 2 children, 2 shared cores): it accepted about 2× the new
 *   connections per second of SCHED_RR (2121 vs 1015/s; 4046 vs 1406 per
 *   server CPU-second) with the same echo work per CPU-second (59.3k vs
 *   59.4k msg/CPU-s), because the master no longer accepts and passes every
 *   connection over IPC. The price is a less even spread (64 connections
 *   landed 28/36 against 32/32). `NODE_CLUSTER_SCHED_POLICY=rr|none` in the
 *   environment chooses, as for any cluster app.
 */
const DEFAULT_POLICY: 'rr' | 'none' = 'none';

/** Sets the scheduling policy before the first fork; returns the one in force. */
export function chooseSchedulingPolicy(): 'rr' | 'none' {
  const fromEnv = process.env.NODE_CLUSTER_SCHED_POLICY;
  const policy = fromEnv === 'rr' || fromEnv === 'none' ? fromEnv : DEFAULT_POLICY;
  const cluster = nodeCluster();
  cluster.schedulingPolicy = policy === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  return policy;
}

export function schedulingPolicyName(): string {
  const cluster = nodeCluster();
  return cluster.schedulingPolicy === cluster.SCHED_NONE ? 'SCHED_NONE' : 'SCHED_RR';
}

/**
 * One line for the master's log per worker that asks for `reusePort` but
 * whose children will share one socket through node:cluster instead, and why.
 * The children decide the same way (Worker#listen), with the same function.
 */
export function reusePortFallbacks(workers: readonly Worker[]): string[] {
  const lines: string[] = [];
  for (const worker of workers) {
    const socketName = worker.getSocketName();
    if (!worker.reusePort || socketName === 'none') continue;
    const reason = reusePortFallbackReason(parseAddress(socketName), worker.user);
    if (reason === null) continue;
    lines.push(
      `worker "${worker.name}" (${socketName}): reusePort = true, but ${reason}; ` +
        'its processes share one socket through node:cluster instead',
    );
  }
  return lines;
}

/**
 * Removes the socket files a dead earlier run left at the unix addresses of
 * `workers` (a live one is kept), before the children are forked: they share
 * each socket through the master and never clear a path themselves.
 */
export async function removeStaleUnixSockets(workers: readonly Worker[]): Promise<void> {
  for (const worker of workers) {
    const socketName = worker.getSocketName();
    if (socketName === 'none') continue;
    const address = parseAddress(socketName);
    if (address.transport === 'unix') await removeStaleSocket(address.path);
  }
}
