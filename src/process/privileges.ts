import { ErrorCodes, WorkermanError } from '../errors.js';

const { readFileSync } = process.getBuiltinModule('node:fs');

/**
 * The master's check at start: `user` / `group` take effect only when the
 * master runs as root, and a group only with a user. Otherwise each such
 * worker gets a warning (its children run as whoever started the master),
 * as the origin warns.
 */
export function privilegeWarnings(
  workers: readonly { name: string; user: string; group: string }[],
  uid: number,
): string[] {
  if (uid === 0) {
    return workers
      .filter((worker) => worker.user === '' && worker.group !== '')
      .map((worker) => `worker "${worker.name}": group "${worker.group}" ignored without a user`);
  }
  return workers
    .filter((worker) => worker.user !== '' || worker.group !== '')
    .map(
      (worker) =>
        `worker "${worker.name}": user/group ignored, only root can switch users (the master runs as uid ${uid})`,
    );
}

/**
 * Runs this process as `user` (and `group`, else the user's primary group)
 * when it is root. The master binds the listening sockets (cluster sharing),
 * so a child can drop root before its first connection and still serve
 * port 80 (a `reusePort` worker, whose children bind themselves, keeps that
 * sharing for such a port). Not root, or no user given: nothing to do.
 */
export function dropPrivileges(user: string, group: string): void {
  if (!user || process.getuid?.() !== 0) return;
  try {
    const gid = group || primaryGid(user);
    // Order matters: group and supplementary groups while still root, then the user.
    process.setgid?.(gid);
    (
      process as NodeJS.Process & { initgroups?(user: string, group: string | number): void }
    ).initgroups?.(user, gid);
    process.setuid?.(user);
    // setuid as root sets the real, effective and saved ids: no way back.
    if (process.geteuid?.() === 0) throw new Error('still root after setuid');
  } catch (cause) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `cannot run as user "${user}"${group ? ` group "${group}"` : ''}: ${(cause as Error).message}`,
      { cause },
    );
  }
}

function primaryGid(user: string): number {
  // /etc/passwd lines: name:x:uid:gid:gecos:home:shell
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0] === user && fields[3] !== undefined) return Number(fields[3]);
  }
  throw new Error(`no user "${user}" in /etc/passwd`);
}
