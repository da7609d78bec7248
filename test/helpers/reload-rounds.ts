import assert from 'node:assert/strict';
import type { StatusReport } from '../../src/process/status.js';
import type { managedApp } from './managed-app.js';

/**
 * Start-file source of a worker named 'keeper' with `reloadable = false`:
 * it appends a line to `reloadsFile` each time a reload reaches it, so a
 * test can count the `onWorkerReload` calls of a child that is never replaced.
 */
export function keeperWorkerSource(reloadsFile: string): string {
  return `
const keeper = new Worker();
keeper.name = 'keeper';
keeper.reloadable = false;
keeper.onWorkerReload = async () => {
  const { appendFileSync } = await import('node:fs');
  appendFileSync(${JSON.stringify(reloadsFile)}, 'reloaded\\n');
};
`;
}

/** Pids of the children of `worker` in a status report. */
export function pidsOf(report: StatusReport, worker: string): number[] {
  return report.children.filter((c) => c.worker === worker).map((c) => c.pid);
}

/**
 * Reloads a running app `rounds` times with `args` (`reload` or `reload -g`)
 * and checks each round: the CLI reports `count` children replaced, every
 * child of `worker` has a pid never seen before, and `keeper`'s children
 * (`reloadable = false`) keep theirs. `beforeEach` runs before each reload.
 * Resolves with the last status report.
 */
export async function reloadRounds(
  app: ReturnType<typeof managedApp>,
  options: {
    args: readonly string[];
    worker: string;
    keeper: string;
    rounds: number;
    count: number;
    beforeEach?: () => Promise<void>;
  },
): Promise<StatusReport> {
  const { args, worker, keeper, rounds, count } = options;
  let report = await app.status();
  const keeperPids = pidsOf(report, keeper);
  const seen = new Set(pidsOf(report, worker));
  for (let round = 0; round < rounds; round++) {
    await options.beforeEach?.();
    const before = pidsOf(report, worker);
    const reloaded = await app.cli([...args]);
    assert.equal(reloaded.code, 0, reloaded.stderr);
    assert.match(reloaded.stdout, new RegExp(`${count} process\\(es\\) replaced`));
    report = await app.status();
    const after = pidsOf(report, worker);
    assert.equal(after.length, count);
    for (const pid of after) {
      assert.ok(!before.includes(pid), `round ${round}: ${pid} was replaced`);
      assert.ok(!seen.has(pid), `round ${round}: ${pid} is new`);
      seen.add(pid);
    }
    assert.deepEqual(pidsOf(report, keeper), keeperPids, 'reloadable = false is left running');
  }
  return report;
}
