import { failureLogInterval, setFailureLogInterval } from '../failure-log.js';

/**
 * The process manager's settings, the statics users set on `Worker`
 * (`Worker.stopTimeout = 5`), which `Worker` inherits from here. Set and
 * read them through `Worker`: an assignment lands on the class it is made on.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: Worker extends it, so users keep setting `Worker.stopTimeout`.
export class ProcessSettings {
  /** Seconds a stopping process waits for connections to close before cutting them. */
  static stopTimeout = 2;
  /** Connections a worker holds, unread, while its accepting is paused; more are closed at once. */
  static maxHeldConnections = 1024;
  /** Seconds a connection is held while accepting is paused before it is closed. */
  static heldConnectionTimeout = 10;
  /** Run the master detached from the terminal (`start -d` sets it too). */
  static daemonize = false;
  /** Where a daemon's stdout and stderr go. */
  static stdoutFile = '/dev/null';
  /** The master's pid file; the control socket sits beside it. Default: one per start file in the temp directory. */
  static pidFile = '';
  /** Log of start, stop, reload and crashes, with timestamps. Default: beside the pid file. */
  static logFile = '';
  /** Bytes after which `logFile` is rotated to `<logFile>.1` (0: never). */
  static logFileMaxSize = 10 * 1024 * 1024;
  /**
   * Log lines the master may hold while its writes to `logFile` are under
   * way; lines beyond are dropped, and a line says how many.
   */
  static logQueueMaxLines = 10_000;
  /**
   * Seconds during which a callback failure identical to a logged one (same
   * callback, message and place) is counted instead of logged; one line then
   * says how many were left out. 0: log every failure.
   */
  static get failureLogInterval(): number {
    return failureLogInterval();
  }
  static set failureLogInterval(seconds: number) {
    setFailureLogInterval(seconds);
  }
  /**
   * Development: directories whose source files, when changed, trigger a
   * reload (watched by OS notification, no polling). Empty: off.
   */
  static fileMonitor: string[] = [];
  /** Master side: called when a reload begins. */
  static onMasterReload: (() => void | Promise<void>) | null = null;
  /** Master side: called once every child has stopped, before the master exits. */
  static onMasterStop: (() => void | Promise<void>) | null = null;
}
