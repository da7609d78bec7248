import type { Stats } from 'node:fs';

/**
 * Why a folder the process would trust with its own files (sessions, the
 * pid file and control socket, the key-value store) is not safe, or null
 * when it is: a real folder (not a symbolic link; `info` comes from
 * `lstat`), owned by this process's user, closed to group and others
 * (mode 0700). Whoever else can write there could plant or swap files.
 * The callers add what they keep there and what to do about it.
 */
export function privateFolderProblem(info: Stats): string | null {
  const uid = process.getuid?.();
  if (!info.isDirectory()) return 'is not a folder (a symbolic link or a file)';
  if (uid !== undefined && info.uid !== uid) {
    return `belongs to uid ${info.uid}, not to this process (uid ${uid})`;
  }
  if (uid !== undefined && (info.mode & 0o077) !== 0) {
    return `is open to group or others (mode ${(info.mode & 0o777).toString(8)}; 700 expected)`;
  }
  return null;
}
