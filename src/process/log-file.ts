import { formatLogLine, setLogSink } from '../log.js';

const { appendFile, rename, stat } = process.getBuiltinModule('node:fs/promises');
const { appendFileSync } = process.getBuiltinModule('node:fs');

/**
 * The master's log: every framework line (its own, and the children's it
 * receives) goes to stderr (which a daemon has pointed at `stdoutFile`) and
 * to `path`. Past `maxSize` bytes the file moves to `<path>.1` and a new one
 * begins (0: never rotate).
 *
 * Writes are asynchronous and batched: lines logged in one turn of the event
 * loop leave in one write, so a burst of children's lines never holds the
 * master's loop (it also answers the control socket and supervises). At
 * most `maxQueuedLines` wait; beyond, lines are dropped and a line says how
 * many. `flush()` waits until everything logged so far is written; at exit
 * whatever still waits is written synchronously, so an orderly exit loses
 * nothing.
 */
export class LogFile {
  readonly #path: string;
  readonly #maxSize: number;
  readonly #maxQueuedLines: number;
  #queue: string[] = [];
  #dropped = 0;
  #writing: Promise<void> | null = null;

  constructor(path: string, maxSize: number, maxQueuedLines: number) {
    this.#path = path;
    this.#maxSize = maxSize;
    this.#maxQueuedLines = maxQueuedLines;
  }

  add(line: string): void {
    if (this.#queue.length >= this.#maxQueuedLines) {
      this.#dropped++;
      return;
    }
    this.#queue.push(line);
    this.#writing ??= this.#drain();
  }

  /** Resolves once every line added so far is written (or has failed to be). */
  flush(): Promise<void> {
    return this.#writing ?? Promise.resolve();
  }

  /** Writes what waits, synchronously: for the 'exit' event, when no promise can run. */
  flushSync(): void {
    const lines = this.#take();
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    process.stderr.write(text);
    try {
      appendFileSync(this.#path, text);
    } catch {
      // As below: stderr has the lines.
    }
  }

  async #drain(): Promise<void> {
    // Let the rest of this turn's lines join the batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let lines = this.#take(); lines.length > 0; lines = this.#take()) {
      process.stderr.write(`${lines.join('\n')}\n`);
      try {
        await this.#append(lines);
      } catch {
        // An unwritable log must not stop the server; stderr still has the lines.
      }
    }
    this.#writing = null;
  }

  #take(): string[] {
    const lines = this.#queue;
    this.#queue = [];
    if (this.#dropped > 0) {
      lines.push(
        formatLogLine(
          `${this.#dropped} log line(s) dropped: more than Worker.logQueueMaxLines (${this.#maxQueuedLines}) were waiting to be written`,
        ),
      );
      this.#dropped = 0;
    }
    return lines;
  }

  /** Appends whole lines; the file is rotated before a line would go into a file already past maxSize. */
  async #append(lines: readonly string[]): Promise<void> {
    let size = await sizeOf(this.#path);
    let chunk = '';
    for (const line of lines) {
      if (this.#maxSize > 0 && size > this.#maxSize) {
        if (chunk !== '') await appendFile(this.#path, chunk);
        chunk = '';
        await rename(this.#path, `${this.#path}.1`);
        size = 0;
      }
      chunk += `${line}\n`;
      size += Buffer.byteLength(line) + 1;
    }
    if (chunk !== '') await appendFile(this.#path, chunk);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

let current: LogFile | null = null;

/** Points the framework's log at `path` (see LogFile). */
export function logToFile(path: string, maxSize: number, maxQueuedLines: number): void {
  const file = new LogFile(path, maxSize, maxQueuedLines);
  if (current === null) process.on('exit', () => current?.flushSync());
  current = file;
  setLogSink((line) => file.add(line));
}

/** Resolves once every line logged so far is written. */
export function flushLog(): Promise<void> {
  return current?.flush() ?? Promise.resolve();
}
