import type { Socket, SocketOptions } from 'node:dgram';
import { nodeDgram } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import type { ListenAddress } from './address.js';
import type { ContextOptions } from './context-options.js';

const { isIPv6 } = process.getBuiltinModule('node:net');

/**
 * Binds a UDP socket on the address (IPv6 when the host is an IPv6 literal).
 * With `reusePort` (the caller checks `reusePortFallbackReason` first) this
 * process binds its own SO_REUSEPORT socket and the kernel spreads incoming
 * datagrams over every process bound so on the port.
 */
export async function bindUdp(
  address: ListenAddress,
  context: ContextOptions,
  { reusePort = false }: { reusePort?: boolean } = {},
): Promise<Socket> {
  // `reusePort` is Node 22.12+ / 23.1+, missing from the Node 20 types.
  const options: SocketOptions & { reusePort?: boolean } = {
    type: isIPv6(address.host) ? 'udp6' : 'udp4',
    ...(context.socket?.ipv6Only !== undefined && { ipv6Only: context.socket.ipv6Only }),
    ...(reusePort && { reusePort: true }),
  };
  const socket = nodeDgram().createSocket(options);
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: Error) => {
      socket.close();
      reject(
        new WorkermanError(
          ErrorCodes.LISTEN_FAILED,
          `cannot bind udp://${address.host}:${address.port}: ${cause.message}`,
          { cause },
        ),
      );
    };
    socket.once('error', onError);
    // As for TCP, exclusive keeps a reusePort socket out of node:cluster's
    // sharing (Node 26 implies it; said here so no release depends on it).
    const bindOptions = { port: address.port, address: address.host, exclusive: reusePort };
    socket.bind(bindOptions, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  return socket;
}
