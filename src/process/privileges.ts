import { readFileSync } from 'node:fs';
import { ErrorCodes, WorkermanError } from '../errors.js';

/**
 * Runs this process as `user` (and `group`, else the user's primary group)
 * when it is root. The master binds the listening sockets (cluster sharing),
 * so a child can drop root before its first connection and still serve
 * port 80. Not root, or no user given: nothing to do.
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
