const { debuglog } = process.getBuiltinModule('node:util');

/** Where framework log lines go; the process manager points it at `logFile`. */
export type LogSink = (line: string) => void;

let sink: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

function timestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** `YYYY-mm-dd HH:MM:SS pid:N message`, the origin's log line. */
export function formatLogLine(message: string): string {
  return `${timestamp(new Date())} pid:${process.pid} ${message}`;
}

/** Writes `YYYY-mm-dd HH:MM:SS pid:N message`, the origin's log line. */
export function log(message: string): void {
  sink(formatLogLine(message));
}

/** Replaces the log destination; returns the previous one. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

/** `NODE_DEBUG=workerman-connection` shows what a connection did and why it closed. */
export const debugConnection = debuglog('workerman-connection');
/** `NODE_DEBUG=workerman-worker` shows listening, accepting and stopping. */
export const debugWorker = debuglog('workerman-worker');

/** Passes on a line that `log()` formatted in another process (a child's, through the master). */
export function logFormatted(line: string): void {
  sink(line);
}
