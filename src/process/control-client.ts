import { nodeReadline } from '../builtins.js';
import type { ControlRequest } from './control-socket.js';

const { connect } = process.getBuiltinModule('node:net');

/** No master answers at this path (no socket, or a stale one). */
export class NotRunningError extends Error {}

/** Sends one request to the master's control socket and returns its reply. */
export function askMaster(path: string, request: ControlRequest): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let answered = false;
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      answered = true;
      reject(
        error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
          ? new NotRunningError(error.message)
          : error,
      );
    });
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    const lines = nodeReadline().createInterface({ input: socket });
    // The socket's own 'error' listener above reports failures; readline re-emits them.
    lines.on('error', () => {});
    lines.once('line', (line) => {
      answered = true;
      socket.destroy();
      const reply = JSON.parse(line) as Record<string, unknown>;
      if (reply.ok === true) resolve(reply);
      else reject(new Error(String(reply.error)));
    });
    socket.once('close', () => {
      if (!answered) {
        answered = true;
        reject(new NotRunningError('the master closed the control socket without answering'));
      }
    });
  });
}
