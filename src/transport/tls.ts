import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { ErrorCodes, WorkermanError } from '../errors.js';
import type { SslContextOptions } from './context-options.js';

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

/** Node TLS server options from `contextOptions.ssl`, reading `local_cert` / `local_pk` files. */
export function tlsServerOptions(ssl: SslContextOptions | undefined): TlsOptions {
  const { local_cert, local_pk, verify_peer, ...node } = ssl ?? {};
  const options: TlsOptions = { ...node };
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
