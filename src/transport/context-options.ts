import type { SecureContextOptions } from 'node:tls';

/** Socket-level options: `contextOptions.socket`. */
export interface SocketContextOptions {
  /** Pending-connection queue length; the kernel caps it at net.core.somaxconn. Default 102400, as the origin. */
  backlog?: number;
  /** For `[::]` listeners: accept IPv6 only (no IPv4-mapped addresses). */
  ipv6Only?: boolean;
  /** For outbound connections: local address to bind before connecting (`'127.0.0.2'` or `'127.0.0.2:0'`). */
  bindTo?: string;
  /**
   * Listen in this process alone: a child's listener is then not shared
   * through the process manager with its siblings (each gateway process's
   * own internal port, a port 0 that must differ per process).
   */
  exclusive?: boolean;
}

/**
 * TLS options: `contextOptions.ssl`. Node's own TLS options (`cert`, `key`,
 * `ca`, `rejectUnauthorized`, `servername`, ...) pass through; the origin's
 * PHP stream-context names are understood as well. Listeners default to
 * TLS 1.2+ (`minVersion`) with ECDHE + AEAD suites (`ciphers`); setting
 * either replaces that default.
 */
export interface SslContextOptions extends SecureContextOptions {
  /**
   * Servers: milliseconds a new connection has to complete its TLS handshake
   * before it is closed (Node's option). Default 10000; 0 turns it off.
   */
  handshakeTimeout?: number;
  /** Servers: ask clients for a certificate. */
  requestCert?: boolean;
  /** Servers: refuse clients without a valid certificate (with requestCert); clients: refuse an unverified server. */
  rejectUnauthorized?: boolean;
  /** Protocols offered with ALPN, most preferred first. */
  ALPNProtocols?: string[];
  /** Path of the PEM certificate (chain); the origin's name for `cert`. */
  local_cert?: string;
  /** Path of the PEM private key; the origin's name for `key`. */
  local_pk?: string;
  /** Clients: verify the server's certificate (default true); the origin's name for `rejectUnauthorized`. */
  verify_peer?: boolean;
  /** Clients: the name to verify and send as SNI (default: the host connected to, unless an IP). */
  servername?: string;
}

/** The second constructor argument of `Worker` and the async connections. */
export interface ContextOptions {
  socket?: SocketContextOptions;
  ssl?: SslContextOptions;
}

/** Default listen backlog, as the origin; Linux clamps it to net.core.somaxconn. */
export const DEFAULT_BACKLOG = 102400;
