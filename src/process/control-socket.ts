import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { log } from '../log.js';

/**
 * The CLI's requests to a running master, one JSON object per line:
 *
 *   -> {"cmd":"status"}                 <- {"ok":true,"status":{...StatusReport}}
 *   -> {"cmd":"connections"}            <- {"ok":true,"connections":[...rows]}
 *   -> {"cmd":"reload","graceful":true} <- {"ok":true,"replaced":4}   (once done)
 *   -> {"cmd":"stop","graceful":false}  <- {"ok":true}                (stop begins)
 *   any failure                         <- {"ok":false,"error":"..."}
 */
export type ControlRequest =
  | { cmd: 'status' }
  | { cmd: 'connections' }
  | { cmd: 'reload'; graceful: boolean }
  | { cmd: 'stop'; graceful: boolean };

export type ControlHandler = (request: ControlRequest) => Promise<Record<string, unknown>>;

/** The control socket lives beside the pid file: `app.pid` -> `app.sock`. */
export function controlSocketPath(pidFile: string): string {
  return `${pidFile.replace(/\.pid$/, '')}.sock`;
}

/**
 * Listens on the unix socket at `path`, readable and writable by the owner
 * only (whoever may stop the server may ask it anything).
 */
export async function openControlSocket(path: string, handle: ControlHandler): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((socket) => {
    socket.on('error', () => {});
    createInterface({ input: socket }).on('line', (line) => {
      let request: ControlRequest;
      try {
        request = JSON.parse(line) as ControlRequest;
      } catch {
        socket.end(`${JSON.stringify({ ok: false, error: 'not JSON' })}\n`);
        return;
      }
      handle(request).then(
        (reply) => socket.end(`${JSON.stringify({ ok: true, ...reply })}\n`),
        (error: Error) => {
          log(`control request ${line} failed: ${error.message}`);
          socket.end(`${JSON.stringify({ ok: false, error: error.message })}\n`);
        },
      );
    });
  });
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
