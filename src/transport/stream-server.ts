import type { ListenOptions, Server, Socket } from 'node:net';
import { nodeTls } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import { debugWorker } from '../log.js';
import type { ListenAddress } from './address.js';
import { type ContextOptions, DEFAULT_BACKLOG } from './context-options.js';
import { adoptWithReadBuffer, type ReadInto } from './read-buffer.js';
import { tlsServerOptions } from './tls.js';
import { removeStaleSocket } from './unix.js';

const { createServer } = process.getBuiltinModule('node:net');

// Matches the origin's listener: Nagle off, TCP keepalive probes after 55 s idle.
const KEEPALIVE_DELAY_MS = 55_000;

/** How a listener opens, beyond the address and the user's context options. */
export interface StreamListenOptions {
  /** Accepted plain sockets read into this shared buffer (see read-buffer.ts). */
  readInto?: ReadInto;
  /**
   * Open this process's own socket with SO_REUSEPORT (TCP and TLS only; the
   * caller checks `reusePortFallbackReason` first): the kernel spreads new
   * connections over every process listening so on the port.
   */
  reusePort?: boolean;
}

/**
 * Opens a stream listener (TCP, TLS or unix socket) and calls `onSocket` for
 * each connection, after the TLS handshake for `ssl`.
 */
export async function listenStream(
  address: ListenAddress,
  transport: 'tcp' | 'ssl' | 'unix',
  context: ContextOptions,
  onSocket: (socket: Socket) => void,
  { readInto, reusePort = false }: StreamListenOptions = {},
): Promise<Server> {
  const common = {
    // A peer's FIN ends only its side: the connection answers what was sent
    // before it, then ends ours (TcpConnection, the codec's onPeerEnd).
    allowHalfOpen: true,
    noDelay: true,
    keepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_DELAY_MS,
  };
  let server: Server;
  if (transport !== 'ssl' && readInto) {
    // Accepted sockets wait unread until they are re-wrapped to read into
    // the shared buffer (TLS sockets decrypt into their own buffers).
    server = createServer({ ...common, pauseOnConnect: true }, (socket) =>
      onSocket(adoptWithReadBuffer(socket, readInto)),
    );
  } else if (transport === 'ssl') {
    server = nodeTls().createServer({ ...common, ...tlsServerOptions(context.ssl) });
    server.on('secureConnection', onSocket);
    // Node reports a failed or timed-out handshake here and leaves the
    // socket open (a client that never sends its ClientHello would stay for
    // ever): close it.
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      debugWorker('TLS handshake failed from %s: %s', socket.remoteAddress, error.message);
      socket.destroy();
    });
  } else {
    server = createServer(common, onSocket);
  }
  const backlog = context.socket?.backlog ?? DEFAULT_BACKLOG;
  // A child of the process manager asks its master for the socket (node:cluster
  // sets NODE_UNIQUE_ID in the children): the master cleared a stale file before
  // forking, and a sibling must not take the master's socket, bound but not yet
  // listening, for a stale one and unlink it.
  const sharedThroughMaster =
    process.env.NODE_UNIQUE_ID !== undefined && !context.socket?.exclusive;
  if (transport === 'unix' && !sharedThroughMaster) await removeStaleSocket(address.path);
  // `reusePort` is Node 22.12+ / 23.1+, missing from the Node 20 types.
  const listenOptions: ListenOptions & { reusePort?: boolean } =
    transport === 'unix'
      ? { path: address.path, backlog }
      : {
          host: address.host,
          port: address.port,
          backlog,
          ...(context.socket?.ipv6Only !== undefined && { ipv6Only: context.socket.ipv6Only }),
          ...(context.socket?.exclusive && { exclusive: true }),
          // In a cluster child, a listen that is not exclusive goes through
          // the master, which would own one shared socket. Node 26 implies
          // exclusive with reusePort; said here so no release depends on it.
          ...(reusePort && { reusePort: true, exclusive: true }),
        };
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: Error) => {
      reject(
        new WorkermanError(
          ErrorCodes.LISTEN_FAILED,
          `cannot listen on ${describeAddress(address)}: ${cause.message}`,
          { cause },
        ),
      );
    };
    server.once('error', onError);
    server.listen(listenOptions, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => debugWorker('listener error: %s', error.message));
  return server;
}

export function describeAddress(address: ListenAddress): string {
  if (address.transport === 'unix') return `unix://${address.path}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.scheme}://${host}:${address.port}`;
}
