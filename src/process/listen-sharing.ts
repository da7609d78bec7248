import { nodeCluster } from '../builtins.js';

/**
 * How the children of one worker share its listening socket.
 *
 * - Node 20 (and anything before 22.12 / 23.1) has no `reusePort` listen
 *   option, so every child goes through node:cluster: the master owns the
 *   socket and either accepts and hands each connection round robin
 *   (`SCHED_RR`) or passes the socket itself and lets the kernel wake one
 *   child (`SCHED_NONE`). `Worker.reusePort = true` falls back to this too.
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

/** True where `server.listen({ reusePort })` exists (Node 22.12+ / 23.1+). */
export function supportsReusePort(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}
