import type { Worker as ClusterWorker } from 'node:cluster';
import { nodeCluster, nodeOs } from '../builtins.js';
import { log, logFormatted } from '../log.js';
import { VERSION } from '../version.js';
import { Worker } from '../worker/worker.js';
import {
  type ChildFigures,
  type ConnectionRow,
  ENV_DEFINITION,
  ENV_ID,
  isChildMessage,
  type MasterMessage,
} from './ipc.js';
import { schedulingPolicyName } from './listen-sharing.js';
import { notifyWorkerExit, runMasterHook } from './master-hooks.js';
import { PendingReplies } from './pending-replies.js';
import { nextRestartDelay } from './restart-backoff.js';
import type { ChildStatus, StatusReport } from './status.js';

const { extname } = process.getBuiltinModule('node:path');
const { fileURLToPath } = process.getBuiltinModule('node:url');

/** One (definition, id) place; its child is replaced on crash and reload. */
interface Slot {
  worker: Worker;
  definition: number;
  id: number;
  child: ClusterWorker | null;
  /** When its child became ready (0 while it is starting), and its crashes since: the backoff's memory. */
  startedAt: number;
  quickCrashes: number;
  restartTimer: NodeJS.Timeout | null;
}

interface Waiter {
  resolve(child: ClusterWorker): void;
  reject(error: Error): void;
}

// Beside this file: .ts when run from source (through tsx), .js once built.
const START_FAILURE_REPORT = new URL(
  `./start-failure-report${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
).href;
const CHILD_EXEC_ARGV = [...process.execArgv, '--import', START_FAILURE_REPORT];

/** What a reload did: children replaced, and why each one that was not could not start. */
export interface ReloadResult {
  replaced: number;
  failures: string[];
}

// How long a child has to answer a status request before it shows as busy.
const STATUS_TIMEOUT_MS = 1000;
// Beyond stopTimeout, how long the master waits before SIGKILL.
const KILL_GRACE_MS = 2000;

/**
 * The supervisor: forks `count` children per Worker definition, restarts a
 * crashed child at once (backing off if it keeps crashing), replaces children
 * one at a time on reload, stops them all on stop. It never serves clients.
 */
export class Master {
  readonly startedAt = Date.now();
  readonly #slots: Slot[] = [];
  /** worker name -> exit status -> count, for the status table. */
  readonly #exits = new Map<string, Map<string, number>>();
  /** Children being retired on purpose (reload, stop): their exit is no crash. */
  readonly #retiring = new Set<ClusterWorker>();
  readonly #readyWaiters = new Map<ClusterWorker, Waiter>();
  readonly #replies = new PendingReplies();
  /** pid -> [totalRequest, time] at the previous status request, for qps. */
  readonly #lastRequests = new Map<number, [number, number]>();
  /** Every live child, current or on its way in or out, to its place. */
  readonly #slotOf = new Map<ClusterWorker, Slot>();
  #started = false;
  #stopping: Promise<void> | null = null;
  #reloading: Promise<ReloadResult> | null = null;

  constructor(workers: readonly Worker[]) {
    workers.forEach((worker, definition) => {
      for (let id = 0; id < Math.max(1, worker.count); id++) {
        this.#slots.push({
          worker,
          definition,
          id,
          child: null,
          startedAt: 0,
          quickCrashes: 0,
          restartTimer: null,
        });
      }
    });
    // Children load a reporter first, which tells the master why new code cannot start.
    // (set again before each fork, with the worker's own flags: see #fork).
    const cluster = nodeCluster();
    cluster.setupPrimary({ execArgv: CHILD_EXEC_ARGV });
    cluster.on('message', (child, message) => this.#onMessage(child, message));
    cluster.on('exit', (child, code, signal) => this.#onExit(child, code, signal));
  }

  get stopping(): boolean {
    return this.#stopping !== null;
  }

  /** Forks every child; resolves once all are ready, rejects if one cannot start. */
  async start(): Promise<void> {
    await Promise.all(this.#slots.map((slot) => this.#fork(slot)));
    this.#started = true;
  }

  #fork(slot: Slot): Promise<ClusterWorker> {
    // Settings apply to the forks that follow: each child gets its worker's flags.
    const cluster = nodeCluster();
    cluster.setupPrimary({ execArgv: [...CHILD_EXEC_ARGV, ...slot.worker.execArgv] });
    const child = cluster.fork({
      [ENV_DEFINITION]: String(slot.definition),
      [ENV_ID]: String(slot.id),
    });
    slot.startedAt = 0;
    this.#slotOf.set(child, slot);
    // A child that has just died still looks connected until the master reads
    // the end of its channel; a write then fails (EPIPE). Our own sends have
    // a callback, but node:cluster's internal ones do not: their failure is
    // an 'error' on the worker, which would be thrown and end the master.
    let reported = false;
    child.on('error', (error) => {
      if (reported) return;
      reported = true;
      log(`worker process ${child.process.pid}: IPC channel failed: ${error.message}`);
    });
    return new Promise<ClusterWorker>((resolve, reject) => {
      this.#readyWaiters.set(child, {
        resolve: (ready) => {
          // A replacement takes the place only when ready, so the old child
          // keeps serving until then (reload) and crash bookkeeping stays right.
          slot.child = ready;
          slot.startedAt = Date.now();
          resolve(ready);
        },
        reject,
      });
    });
  }

  #onMessage(child: ClusterWorker, message: unknown): void {
    if (!isChildMessage(message)) return;
    switch (message.wm) {
      case 'ready':
        this.#readyWaiters.get(child)?.resolve(child);
        this.#readyWaiters.delete(child);
        return;
      case 'start-failed': {
        const why = `worker process ${child.process.pid} could not start: ${message.message}`;
        this.#readyWaiters.get(child)?.reject(new Error(why));
        this.#readyWaiters.delete(child);
        log(why);
        return;
      }
      case 'log':
        logFormatted(message.line);
        return;
      case 'drain':
        // See child.ts: by the time this reply arrives, no connection is on its way to that child.
        this.#tell(child, { wm: 'drained', seq: message.seq });
        return;
      case 'status':
      case 'connections':
        this.#replies.answer(message.seq, message);
        return;
    }
  }

  #onExit(child: ClusterWorker, code: number | null, signal: string | null): void {
    const slot = this.#slotOf.get(child);
    this.#slotOf.delete(child);
    const status = signal ?? String(code ?? 0);
    const pid = child.process.pid ?? 0;
    const waiter = this.#readyWaiters.get(child);
    this.#readyWaiters.delete(child);
    waiter?.reject(new Error(`worker process ${pid} exited with ${status} before it was ready`));
    this.#lastRequests.delete(pid);
    if (slot === undefined) return;
    this.#countExit(slot.worker, status, pid);
    const current = slot.child === child || slot.child === null;
    // Dying before ready during the first start fails the start (its waiter
    // rejected above). A child that was ready is restarted even while others
    // are still starting.
    const failedFirstStart = !this.#started && waiter !== undefined;
    if (this.#retiring.delete(child) || this.#stopping || failedFirstStart || !current) return;
    slot.child = null;
    if (this.#forking(slot)) {
      // A reload's replacement for this place is starting: it takes over.
      log(
        `worker[${slot.worker.name}:${pid}] exited with status ${status}; its replacement is starting`,
      );
      return;
    }
    const delay = nextRestartDelay(slot);
    log(
      `worker[${slot.worker.name}:${pid}] exited with status ${status}; restarting${delay > 0 ? ` in ${delay} ms` : ''}`,
    );
    this.#restart(slot, delay);
  }

  /** True while a child forked for this place has not yet become ready (or failed). */
  #forking(slot: Slot): boolean {
    for (const child of this.#readyWaiters.keys()) {
      if (this.#slotOf.get(child) === slot) return true;
    }
    return false;
  }

  #countExit(worker: Worker, status: string, pid: number): void {
    const counts = this.#exits.get(worker.name) ?? new Map<string, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    this.#exits.set(worker.name, counts);
    notifyWorkerExit(worker, status, pid);
  }

  #restart(slot: Slot, delay: number): void {
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (this.#stopping) return;
      this.#fork(slot).catch(() => {
        // Its exit event schedules the next attempt.
      });
    }, delay);
  }

  /**
   * Replaces every child of a reloadable worker, one at a time: the new one
   * is forked and ready before the old one stops accepting, so no connection
   * waits for a process that is not there. `reloadable = false` children
   * only get `onWorkerReload`. A replacement that cannot start leaves the
   * old child serving; its error is in the result. Never rejects.
   */
  reload(graceful: boolean): Promise<ReloadResult> {
    this.#reloading ??= this.#reload(graceful).finally(() => {
      this.#reloading = null;
    });
    return this.#reloading;
  }

  async #reload(graceful: boolean): Promise<ReloadResult> {
    log(`reloading${graceful ? ' gracefully' : ''}`);
    const result: ReloadResult = { replaced: 0, failures: [] };
    await runMasterHook('onMasterReload', Worker.onMasterReload);
    for (const slot of this.#slots) {
      if (!slot.worker.reloadable) this.#tell(slot.child, { wm: 'reload-notice' });
    }
    for (const slot of this.#slots) {
      if (!slot.worker.reloadable || this.#stopping) continue;
      // A child starting after a crash already loads the new code.
      if (this.#forking(slot)) continue;
      // A crashed child waiting out its backoff is replaced now, once.
      if (slot.restartTimer) {
        clearTimeout(slot.restartTimer);
        slot.restartTimer = null;
      }
      const old = slot.child;
      try {
        await this.#fork(slot);
      } catch (error) {
        // Without a live old child, the failed replacement's exit restarts the place.
        const kept = slot.child !== null && !slot.child.isDead();
        const why = `${(error as Error).message}${kept ? '; the old process keeps serving' : ''}`;
        result.failures.push(`${slot.worker.name}#${slot.id}: ${why}`);
        log(`reload of ${slot.worker.name}#${slot.id} failed: ${why}`);
        continue;
      }
      if (old) await this.#retire(old, graceful, true);
      result.replaced++;
    }
    const failed = result.failures.length;
    log(
      `reload done: ${result.replaced} process(es) replaced${failed > 0 ? `, ${failed} could not start` : ''}`,
    );
    return result;
  }

  /** Asks a child to stop and waits for its exit; SIGKILL if it outlives stopTimeout. */
  #retire(child: ClusterWorker, graceful: boolean, reload: boolean): Promise<void> {
    if (child.isDead()) return Promise.resolve();
    this.#retiring.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#tell(child, { wm: 'stop', graceful, reload });
    const kill = setTimeout(
      () => child.process.kill('SIGKILL'),
      Worker.stopTimeout * 1000 + KILL_GRACE_MS,
    );
    return exited.finally(() => clearTimeout(kill));
  }

  /**
   * Sends a message to a child, if it is still there. A child that dies
   * meanwhile makes the write fail: that is no error of the master's, and
   * the child's exit event follows; `onFailed` is for a caller waiting on
   * an answer.
   */
  #tell(child: ClusterWorker | null, message: MasterMessage, onFailed?: () => void): void {
    if (!child?.isConnected()) {
      onFailed?.();
      return;
    }
    child.send(message, (error) => {
      if (error) onFailed?.();
    });
  }

  /** Stops every child (graceful: each finishes its connections, up to stopTimeout). */
  stop(graceful: boolean): Promise<void> {
    this.#stopping ??= (async () => {
      log(`stopping${graceful ? ' gracefully' : ''}`);
      for (const slot of this.#slots) if (slot.restartTimer) clearTimeout(slot.restartTimer);
      const children = Object.values(nodeCluster().workers ?? {}).filter(
        (c): c is ClusterWorker => c !== undefined,
      );
      await Promise.all(children.map((child) => this.#retire(child, graceful, false)));
      await runMasterHook('onMasterStop', Worker.onMasterStop);
      log('stopped');
    })();
    return this.#stopping;
  }

  /** Asks every child for its figures; a child that does not answer in time shows as busy. */
  async status(): Promise<StatusReport> {
    const now = Date.now();
    const children = await Promise.all(
      this.#slots.map(async (slot): Promise<ChildStatus | null> => {
        const child = slot.child;
        if (!child) return null;
        const pid = child.process.pid ?? 0;
        const reply = (await this.#ask(child, 'status')) as { figures: ChildFigures } | null;
        if (reply === null)
          return {
            pid,
            id: slot.id,
            worker: slot.worker.name,
            listen: slot.worker.getSocketName(),
            busy: true,
          };
        const figures = reply.figures;
        const last = this.#lastRequests.get(pid);
        this.#lastRequests.set(pid, [figures.totalRequest, now]);
        const qps =
          last && now > last[1]
            ? Math.round(((figures.totalRequest - last[0]) * 1000) / (now - last[1]))
            : 0;
        return { ...figures, id: slot.id, qps, busy: false };
      }),
    );
    const exitStatus: Record<string, Record<string, number>> = {};
    for (const worker of new Set(this.#slots.map((s) => s.worker))) {
      exitStatus[worker.name] = Object.fromEntries(this.#exits.get(worker.name) ?? []);
    }
    return {
      version: VERSION,
      node: process.version,
      masterPid: process.pid,
      startedAt: this.startedAt,
      uptime: Math.floor((now - this.startedAt) / 1000),
      loadavg: nodeOs().loadavg(),
      eventLoop: `node:cluster ${schedulingPolicyName()}`,
      workers: new Set(this.#slots.map((s) => s.definition)).size,
      processes: this.#slots.length,
      stopTimeout: Worker.stopTimeout,
      exitStatus,
      children: children.filter((c): c is ChildStatus => c !== null),
    };
  }

  /** Every child's connections, one row each. */
  async connections(): Promise<ConnectionRow[]> {
    const replies = await Promise.all(
      this.#slots.map((slot) => (slot.child ? this.#ask(slot.child, 'connections') : null)),
    );
    return replies.flatMap((reply) => (reply as { rows: ConnectionRow[] } | null)?.rows ?? []);
  }

  /** A child's answer to `wm`, or `null` if it is gone or does not answer within STATUS_TIMEOUT_MS. */
  #ask(child: ClusterWorker, wm: 'status' | 'connections'): Promise<unknown> {
    if (!child.isConnected()) return Promise.resolve(null);
    return this.#replies.request(
      (seq, failed) => this.#tell(child, { wm, seq }, failed),
      STATUS_TIMEOUT_MS,
    );
  }
}
