import { basename } from 'node:path';
import { parseCommand, usage } from '../cli/parse-command.js';
import { log } from '../log.js';
import { Timer } from '../timer/timer.js';
import { VERSION } from '../version.js';
import type { Worker } from './worker.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let stopping: Promise<void> | null = null;

/**
 * `Worker.runAll()`: reads the command line and runs every worker defined so
 * far. `start` runs them in this process, in the foreground: each listens
 * (so an address in use fails before any `onWorkerStart`), then each runs
 * its `onWorkerStart`; SIGINT / SIGTERM / SIGHUP stop them all.
 */
export async function runAll(workers: readonly Worker[]): Promise<void> {
  const startFile = basename(process.argv[1] ?? 'app.js');
  const command = parseCommand(process.argv.slice(2));
  if (command === null) {
    process.stdout.write(`${usage(startFile)}\n`);
    process.exit(64);
  }
  if (command.verb !== 'start' || command.daemon) {
    process.stderr.write(
      `"${process.argv.slice(2).join(' ')}" needs the process manager, which this build does not include; ` +
        `run "node ${startFile} start" in the foreground.\n`,
    );
    process.exit(64);
  }
  for (const signal of STOP_SIGNALS) process.on(signal, () => void stopAll(0, workers));
  try {
    for (const worker of workers) {
      worker.pauseAccept();
      await worker.listen();
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  for (const worker of workers) await worker.run();
  if (!command.quiet) {
    const rows = workers.map((w) => `  ${w.name.padEnd(16)} ${w.getSocketName()}`).join('\n');
    process.stdout.write(
      `workerman-ts ${VERSION}  Node ${process.version}\n${rows}\nPress Ctrl+C to stop. Start success.\n`,
    );
  }
}

/**
 * Stops every worker of this process (`onWorkerStop`, connections closed,
 * timers cancelled), then exits with `code`.
 */
export function stopAll(code: number, workers: readonly Worker[]): Promise<void> {
  stopping ??= (async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    Timer.delAll();
    log('workerman-ts stopped');
    process.exit(code);
  })();
  return stopping;
}
