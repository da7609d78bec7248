import type { Server, Socket } from 'node:net';
import { log } from '../log.js';

const { chmodSync, rmSync } = process.getBuiltinModule('node:fs');
const { createServer } = process.getBuiltinModule('node:net');

/**
 * The CLI's requests to a running master, one JSON object per line, each
 * answered by one line, in order:
 *
 *   -> {"cmd":"status"}                 <- {"ok":true,"status":{...StatusReport}}
 *   -> {"cmd":"connections"}            <- {"ok":true,"connections":[...rows]}
 *   -> {"cmd":"reload","graceful":true} <- {"ok":true,"replaced":4}   (once done)
 *   -> {"cmd":"stop","graceful":false}  <- {"ok":true}                (stop begins)
 *   any failure, unknown command        <- {"ok":false,"error":"..."}
 *
 * A client may half-close its side after its requests (`socat`, `nc -N`):
 * the answers still come, then the master closes.
 */
export type ControlRequest =
  | { cmd: 'status' }
  | { cmd: 'connections' }
  | { cmd: 'reload'; graceful: boolean }
  | { cmd: 'stop'; graceful: boolean };

/** The reply's fields besides `ok: true`; a handler may answer `ok: false` with an `error` itself. */
export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

const COMMANDS = ['status', 'connections', 'reload', 'stop'] as const;
// A request is a short JSON line; anything longer is not one of ours.
export const MAX_CONTROL_LINE_BYTES = 64 * 1024;
// A connection with no request in progress is closed after this long idle.
export const CONTROL_IDLE_MS = 30_000;

/** The control socket lives beside the pid file: `app.pid` -> `app.sock`. */
export function controlSocketPath(pidFile: string): string {
  return `${pidFile.replace(/\.pid$/, '')}.sock`;
}

/** A line as a request, or why it is not one. */
export function parseControlRequest(line: string): ControlRequest | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'a request is a JSON object with a "cmd"' };
  }
  const { cmd, graceful = false } = value as { cmd?: unknown; graceful?: unknown };
  if (!COMMANDS.includes(cmd as (typeof COMMANDS)[number])) {
    return { error: `unknown command ${JSON.stringify(cmd)}; known: ${COMMANDS.join(', ')}` };
  }
  if (typeof graceful !== 'boolean') return { error: '"graceful" must be true or false' };
  if (cmd === 'reload' || cmd === 'stop') return { cmd, graceful };
  return { cmd: cmd as 'status' | 'connections' };
}

/**
 * Listens on the unix socket at `path`, readable and writable by the owner
 * only (whoever may stop the server may ask it anything).
 */
export async function openControlSocket(path: string, handle: ControlHandler): Promise<Server> {
  rmSync(path, { force: true });
  // Half-open: a client's FIN after its request must not close our side
  // before the answer is written.
  const server = createServer({ allowHalfOpen: true }, (socket) => serve(socket, handle));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return server;
}

/** Answers one connection's requests in order; closes once the client has ended and all are answered. */
function serve(socket: Socket, handle: ControlHandler): void {
  socket.on('error', () => {});
  socket.setTimeout(CONTROL_IDLE_MS);
  socket.on('timeout', () => {
    // A reload may take longer than this: only a connection with nothing in progress is idle.
    if (pending === 0) socket.destroy();
    else socket.setTimeout(CONTROL_IDLE_MS);
  });
  let buffered = '';
  let pending = 0;
  let ended = false;
  let answers: Promise<void> = Promise.resolve();
  const reply = (body: Record<string, unknown>) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify({ ok: true, ...body })}\n`);
  };
  const finish = () => {
    if (ended && pending === 0 && !socket.destroyed) socket.end();
  };
  const answer = (line: string) => {
    pending++;
    const request = parseControlRequest(line);
    const result: Promise<Record<string, unknown>> =
      'error' in request
        ? Promise.resolve({ ok: false, error: request.error })
        : handle(request).catch((error: Error) => {
            log(`control request ${line} failed: ${error.message}`);
            return { ok: false, error: error.message };
          });
    // Replies leave in the order of the requests, whatever order they finish in.
    answers = answers.then(async () => {
      reply(await result);
      pending--;
      finish();
    });
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    if (ended) return;
    buffered += chunk;
    for (let at = buffered.indexOf('\n'); at !== -1; at = buffered.indexOf('\n')) {
      const line = buffered.slice(0, at).trim();
      buffered = buffered.slice(at + 1);
      if (line !== '') answer(line);
    }
    if (Buffer.byteLength(buffered) > MAX_CONTROL_LINE_BYTES) {
      // Answered after the requests before it; nothing after it is read.
      buffered = '';
      ended = true;
      pending++;
      answers = answers.then(() => {
        reply({ ok: false, error: `request longer than ${MAX_CONTROL_LINE_BYTES} bytes` });
        pending--;
        finish();
      });
    }
  });
  socket.on('end', () => {
    if (ended) return;
    // A last request without its newline still counts.
    const line = buffered.trim();
    buffered = '';
    if (line !== '') answer(line);
    ended = true;
    void answers.then(finish);
  });
}
