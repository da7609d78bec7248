const { lstatSync, unlinkSync } = process.getBuiltinModule('node:fs');
const { connect } = process.getBuiltinModule('node:net');

/**
 * Removes a unix socket file left by a process that died without closing it,
 * so `listen` does not fail with EADDRINUSE. A socket someone still accepts
 * on is left alone (listen then reports the conflict).
 */
export async function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return;
  }
  if (!isSocket) return;
  const inUse = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (!inUse) {
    try {
      unlinkSync(path);
    } catch {
      // Raced with someone else removing it: listen will tell if it matters.
    }
  }
}
