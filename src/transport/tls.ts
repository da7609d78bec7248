import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { nodeTls } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import type { SslContextOptions } from './context-options.js';

const { readFileSync } = process.getBuiltinModule('node:fs');

/**
 * How long a TLS listener gives a new connection to complete its handshake
 * (milliseconds; `contextOptions.ssl.handshakeTimeout`). Node's own default
 * is 120 s, and a `tls.Server` does not even close the socket when it runs
 * out: the listener does that (stream-server.ts).
 */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

let serverCiphers: string | undefined;

/**
 * The TLS 1.2 suites a listener offers unless `contextOptions.ssl.ciphers`
 * says otherwise: forward secrecy (ECDHE) and authenticated encryption (GCM,
 * ChaCha20-Poly1305) only, no CBC (RFC 9325 §4.2). TLS 1.3 suites all have
 * both properties; they are kept as Node has them (`tls.DEFAULT_CIPHERS`),
 * since a list naming none of them would switch TLS 1.3 off. Built when a
 * TLS listener is first set up: node:tls is loaded only then.
 */
export function defaultServerCiphers(): string {
  serverCiphers ??= [
    ...nodeTls()
      .DEFAULT_CIPHERS.split(':')
      .filter((suite) => suite.startsWith('TLS_')),
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':');
  return serverCiphers;
}

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      `contextOptions.ssl.${option}: cannot read "${path}": ${(cause as Error).message}`,
      { cause },
    );
  }
}

/**
 * Node TLS server options from `contextOptions.ssl`, reading `local_cert` /
 * `local_pk` files. Defaults: TLS 1.2 or later, the suites above, a 10 s
 * handshake deadline; each is overridden by the option of the same name.
 */
export function tlsServerOptions(ssl: SslContextOptions | undefined): TlsOptions {
  const { local_cert, local_pk, verify_peer, ...node } = ssl ?? {};
  const options: TlsOptions = {
    ciphers: defaultServerCiphers(),
    handshakeTimeout: DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
    // Node refuses a version range next to `secureProtocol`: that one wins.
    ...(node.secureProtocol === undefined && { minVersion: 'TLSv1.2' as const }),
    ...node,
  };
  if (local_cert !== undefined) options.cert = readPem(local_cert, 'local_cert');
  if (local_pk !== undefined) options.key = readPem(local_pk, 'local_pk');
  if (verify_peer !== undefined) options.requestCert = verify_peer;
  if (options.cert === undefined || options.key === undefined) {
    throw new WorkermanError(
      ErrorCodes.INVALID_OPTION,
      'transport "ssl" needs a certificate and a key: set contextOptions.ssl.local_cert and local_pk (or cert and key)',
    );
  }
  return options;
}

/** Node TLS client options from `contextOptions.ssl` for a connection to `host`. */
export function tlsClientOptions(
  ssl: SslContextOptions | undefined,
  host: string,
): ConnectionOptions {
  const { local_cert, local_pk, verify_peer, ...node } = ssl ?? {};
  const options: ConnectionOptions = { ...node };
  if (local_cert !== undefined) options.cert = readPem(local_cert, 'local_cert');
  if (local_pk !== undefined) options.key = readPem(local_pk, 'local_pk');
  if (verify_peer !== undefined) options.rejectUnauthorized = verify_peer;
  // SNI must be a host name, never an IP literal (RFC 6066 §3).
  if (options.servername === undefined && !/^[\d.]+$|:/.test(host)) options.servername = host;
  return options;
}
