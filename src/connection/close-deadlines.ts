import type { Socket } from 'node:net';

/**
 * Bounds an orderly close: `closeSeconds` from `close()` for the queued
 * bytes to leave (a peer that stopped reading never takes them, so 'finish'
 * would never come), then, once they and our FIN are out, `lingerSeconds`
 * for the peer to close its side. A peer that does neither is cut.
 */
export function armCloseDeadlines(
  socket: Socket,
  closeSeconds: number,
  lingerSeconds: number,
): void {
  const cut = () => socket.destroy();
  const closeMs = closeSeconds * 1000;
  let deadline = closeMs > 0 ? setTimeout(cut, closeMs).unref() : null;
  const linger = () => {
    if (deadline) clearTimeout(deadline);
    deadline = setTimeout(cut, lingerSeconds * 1000).unref();
  };
  // Already finished when the peer's FIN ended our side before close().
  if (socket.writableFinished) linger();
  else socket.once('finish', linger);
  socket.once('close', () => {
    if (deadline) clearTimeout(deadline);
  });
}
