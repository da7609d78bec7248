import cluster from 'node:cluster';
import { versions } from 'node:process';

/**
 * How the children of one worker share its listening socket.
 *
 * - Node 20 (and anything before 22.12 / 23.1) has no `reusePort` listen
 *   option, so every child goes through node:cluster: the master owns the
 *   socket and either accepts and hands each connection round robin
 *   (`SCHED_RR`) or passes the socket itself and lets the kernel wake one
 *   child (`SCHED_NONE`). `Worker.reusePort = true` falls back to this too.
 * - The default policy was picked by measuring both (bench/process-accept.ts,
 *   figures in README): see DEFAULT_POLICY. `NODE_CLUSTER_SCHED_POLICY=rr|none`
 *   in the environment overrides it, as for any cluster app.
 */
const DEFAULT_POLICY: 'rr' | 'none' = 'rr';

/** Sets the scheduling policy before the first fork; returns the one in force. */
export function chooseSchedulingPolicy(): 'rr' | 'none' {
  const fromEnv = process.env.NODE_CLUSTER_SCHED_POLICY;
  const policy = fromEnv === 'rr' || fromEnv === 'none' ? fromEnv : DEFAULT_POLICY;
  cluster.schedulingPolicy = policy === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  return policy;
}

export function schedulingPolicyName(): string {
  return cluster.schedulingPolicy === cluster.SCHED_NONE ? 'SCHED_NONE' : 'SCHED_RR';
}

/** True where `server.listen({ reusePort })` exists (Node 22.12+ / 23.1+). */
export function supportsReusePort(): boolean {
  const [major = 0, minor = 0] = versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}
