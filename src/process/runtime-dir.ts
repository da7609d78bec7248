import { nodeOs } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import { privateFolderProblem } from '../private-folder.js';

const { lstatSync, mkdirSync } = process.getBuiltinModule('node:fs');
const { join } = process.getBuiltinModule('node:path');

/**
 * The default home of the pid file, control socket and log:
 * `<temp dir>/workerman-ts-<uid>`. The temp directory is shared by every
 * user, who could otherwise create our file names first: a planted pid
 * file or a socket of theirs at our path would answer our CLI, a symlink at
 * the log's name would make a root master append to any file. A folder of
 * our own, closed to others, takes all of that away.
 */
export function defaultRuntimeDir(): string {
  const uid = process.getuid?.();
  return join(nodeOs().tmpdir(), `workerman-ts-${uid ?? nodeOs().userInfo().username}`);
}

/**
 * Makes sure `dir` is ours alone: creates it (mode 0700) when `create` and
 * missing; refuses with `WM_ERR_UNSAFE_PATH` a symlink, a non-folder, a
 * folder another user owns, or one that group or others may write to or
 * read. Returns false when it does not exist (and `create` is false).
 */
export function ensurePrivateDir(dir: string, create: boolean): boolean {
  if (create) {
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  const problem = privateFolderProblem(stat);
  if (problem !== null) {
    throw new WorkermanError(
      ErrorCodes.UNSAFE_PATH,
      `${dir} ${problem}; refusing to keep the pid file, control socket and log there. ` +
        'Remove it, or set Worker.pidFile (and Worker.logFile) to a place of your own',
    );
  }
  return true;
}
