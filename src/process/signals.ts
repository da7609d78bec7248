import type { Master } from './master.js';

/**
 * Operator signals for the master, as the origin maps them:
 *
 *   SIGINT, SIGTERM   stop             SIGQUIT   graceful stop
 *   SIGUSR1           reload           SIGUSR2   graceful reload
 *   SIGHUP            stop in the foreground (terminal gone), ignored by a daemon
 *
 * SIGUSR1 normally starts Node's inspector; the master takes it over (a
 * listener replaces that behaviour) because operators' scripts send it to
 * reload. To debug the master, start it with --inspect instead. Children
 * ignore all of these: only the master's messages stop them, so a Ctrl-C
 * that reaches the whole process group does not cut them short.
 */
export function installMasterSignals(master: Master, daemon: boolean, onStopped: () => void): void {
  const stop = (graceful: boolean) => () => void master.stop(graceful).then(onStopped);
  const reload = (graceful: boolean) => () => {
    if (!master.stopping) void master.reload(graceful);
  };
  process.on('SIGINT', stop(false));
  process.on('SIGTERM', stop(false));
  process.on('SIGQUIT', stop(true));
  process.on('SIGUSR1', reload(false));
  process.on('SIGUSR2', reload(true));
  process.on('SIGHUP', daemon ? () => {} : stop(false));
}
