import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Every client is a socket in the load process (and, for ws, in one server
 * process): this script re-runs itself once with the open-file limit raised
 * to the hard limit (GATEWAY_BENCH_NOFILE marks the re-run), then exits
 * with a message when even that is below `needed`. Returns the limit.
 */
export function raiseOpenFileLimit(needed: number): number {
  if (process.env.GATEWAY_BENCH_NOFILE === undefined) {
    const result = spawnSync(
      'sh',
      [
        '-c',
        'ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"',
        process.execPath,
        ...process.execArgv,
        ...process.argv.slice(1),
      ],
      { stdio: 'inherit', env: { ...process.env, GATEWAY_BENCH_NOFILE: '1' } },
    );
    process.exit(result.status ?? 1);
  }
  const limit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
  if (limit < needed) {
    console.error(
      `open-file limit ${limit} is below the ${needed} this run needs (raise the hard limit)`,
    );
    process.exit(1);
  }
  return limit;
}
