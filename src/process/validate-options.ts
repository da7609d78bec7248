import { ErrorCodes, WorkermanError } from '../errors.js';
import { Worker } from '../worker/worker.js';

const { statSync } = process.getBuiltinModule('node:fs');

// sockaddr_un.sun_path holds 108 bytes on Linux, 104 on macOS and the BSDs, with the final NUL.
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

const WORKER_CALLBACKS = [
  'onWorkerStart',
  'onWorkerStop',
  'onWorkerReload',
  'onConnect',
  'onMessage',
  'onClose',
  'onError',
  'onBufferFull',
  'onBufferDrain',
] as const;

const show = (value: unknown): string =>
  typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));

const isCount = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 1;
const isSeconds = (value: unknown): boolean =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isSize = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
const isHook = (value: unknown): boolean => value === null || typeof value === 'function';

/**
 * Checks every process-manager option once, before `start` writes anything
 * (pid file, control socket, log), so a mistake fails the start with one
 * clear `WM_ERR_INVALID_OPTION` that lists each problem, instead of
 * `count = NaN` silently running nothing or a missing `fileMonitor` folder
 * failing half-way.
 */
export function validateOptions(workers: readonly Worker[], controlSocket: string): void {
  const problems: string[] = [];
  const expect = (ok: boolean, what: string, value: unknown, rule: string) => {
    if (!ok) problems.push(`${what} must be ${rule}, got ${show(value)}`);
  };
  expect(isSeconds(Worker.stopTimeout), 'Worker.stopTimeout', Worker.stopTimeout, 'seconds >= 0');
  expect(
    isSize(Worker.logFileMaxSize),
    'Worker.logFileMaxSize',
    Worker.logFileMaxSize,
    'a whole number of bytes >= 0 (0: never rotate)',
  );
  expect(
    isSeconds(Worker.failureLogInterval),
    'Worker.failureLogInterval',
    Worker.failureLogInterval,
    'seconds >= 0 (0: log every failure)',
  );
  expect(
    isCount(Worker.logQueueMaxLines),
    'Worker.logQueueMaxLines',
    Worker.logQueueMaxLines,
    'a whole number >= 1',
  );
  expect(typeof Worker.daemonize === 'boolean', 'Worker.daemonize', Worker.daemonize, 'a boolean');
  for (const name of ['pidFile', 'logFile', 'stdoutFile'] as const) {
    expect(typeof Worker[name] === 'string', `Worker.${name}`, Worker[name], 'a path');
  }
  for (const name of ['onMasterReload', 'onMasterStop', 'onWorkerExit'] as const) {
    expect(isHook(Worker[name]), `Worker.${name}`, Worker[name], 'a function or null');
  }
  const monitor: unknown = Worker.fileMonitor;
  if (!Array.isArray(monitor)) {
    problems.push(`Worker.fileMonitor must be a list of folders, got ${show(monitor)}`);
  } else {
    for (const dir of monitor) {
      if (!isFolder(dir)) problems.push(`Worker.fileMonitor: ${show(dir)} is not a folder`);
    }
  }
  if (Buffer.byteLength(controlSocket) > MAX_SOCKET_PATH_BYTES) {
    problems.push(
      `the control socket path ${controlSocket} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, ` +
        'the most a unix socket path may have; set Worker.pidFile to a shorter path',
    );
  }
  for (const worker of workers) {
    const where = `worker "${worker.name}"`;
    expect(isCount(worker.count), `${where}: count`, worker.count, 'a whole number >= 1');
    expect(
      typeof worker.reloadable === 'boolean',
      `${where}: reloadable`,
      worker.reloadable,
      'a boolean',
    );
    expect(
      typeof worker.reusePort === 'boolean',
      `${where}: reusePort`,
      worker.reusePort,
      'a boolean',
    );
    expect(
      Array.isArray(worker.execArgv) &&
        worker.execArgv.every((flag: unknown) => typeof flag === 'string'),
      `${where}: execArgv`,
      worker.execArgv,
      'a list of strings',
    );
    expect(typeof worker.user === 'string', `${where}: user`, worker.user, 'a user name');
    expect(typeof worker.group === 'string', `${where}: group`, worker.group, 'a group name');
    for (const callback of WORKER_CALLBACKS) {
      expect(
        isHook(worker[callback]),
        `${where}: ${callback}`,
        worker[callback],
        'a function or null',
      );
    }
  }
  if (problems.length > 0) {
    throw new WorkermanError(ErrorCodes.INVALID_OPTION, `invalid options: ${problems.join('; ')}`);
  }
}

function isFolder(path: unknown): boolean {
  if (typeof path !== 'string' || path === '') return false;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
