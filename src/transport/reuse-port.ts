import type { ListenAddress } from './address.js';

const { readFileSync } = process.getBuiltinModule('node:fs');

/** Where Linux says so (`net.ipv4.ip_unprivileged_port_start`); the classic limit elsewhere. */
const UNPRIVILEGED_PORT_START_FILE = '/proc/sys/net/ipv4/ip_unprivileged_port_start';
const CLASSIC_UNPRIVILEGED_PORT_START = 1024;

/**
 * True where `server.listen({ reusePort })` and `dgram.createSocket({
 * reusePort })` exist: Node 22.12+ and 23.1+ (both arrived together). Older
 * Node ignores the option silently, so the version is the only test.
 */
export function supportsReusePort(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

/** The lowest port a process without root (or CAP_NET_BIND_SERVICE) may bind. */
export function unprivilegedPortStart(): number {
  try {
    const value = Number(readFileSync(UNPRIVILEGED_PORT_START_FILE, 'utf8').trim());
    return Number.isInteger(value) && value >= 0 ? value : CLASSIC_UNPRIVILEGED_PORT_START;
  } catch {
    return CLASSIC_UNPRIVILEGED_PORT_START;
  }
}

/**
 * Why a listener on `address` cannot open its own SO_REUSEPORT socket in
 * each process, or `null` when it can. Where this gives a reason, the
 * processes share one socket through node:cluster instead.
 *
 * - A unix socket is one path, with no port to share.
 * - Port 0 would bind a different port in each process.
 * - `runAs`: the processes switch to this user before they listen (the
 *   master stays root and binds for them when it shares), and that user
 *   may not bind a privileged port.
 * - Node before 22.12 / 23.1 has no option for it.
 */
export function reusePortFallbackReason(address: ListenAddress, runAs = ''): string | null {
  if (address.transport === 'unix') return 'a unix socket has no port to reuse';
  if (address.port === 0) return 'port 0 would bind a different port in each process';
  if (runAs !== '' && address.port < unprivilegedPortStart()) {
    return `its processes switch to user "${runAs}", who may not bind port ${address.port} (below ${unprivilegedPortStart()})`;
  }
  if (!supportsReusePort()) return `it needs Node 22.12+ or 23.1+ (this is ${process.version})`;
  return null;
}
