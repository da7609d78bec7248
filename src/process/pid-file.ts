const { readFileSync, rmSync, writeFileSync } = process.getBuiltinModule('node:fs');

/** Writes the master's pid, one line, as the origin's pid file. */
export function writePidFile(path: string): void {
  writeFileSync(path, `${process.pid}\n`, { mode: 0o644 });
}

/** The pid in the file, or 0 when there is none. */
export function readPidFile(path: string): number {
  try {
    return Number.parseInt(readFileSync(path, 'utf8'), 10) || 0;
  } catch {
    return 0;
  }
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

/** True if a process with this pid exists (signal 0 probes without sending). */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
