import type { Socket } from 'node:dgram';
import { nodeDgram } from '../builtins.js';
import { ErrorCodes, WorkermanError } from '../errors.js';
import type { ListenAddress } from './address.js';
import type { ContextOptions } from './context-options.js';

const { isIPv6 } = process.getBuiltinModule('node:net');

/** Binds a UDP socket on the address (IPv6 when the host is an IPv6 literal). */
export async function bindUdp(address: ListenAddress, context: ContextOptions): Promise<Socket> {
  const socket = nodeDgram().createSocket({
    type: isIPv6(address.host) ? 'udp6' : 'udp4',
    ...(context.socket?.ipv6Only !== undefined && { ipv6Only: context.socket.ipv6Only }),
  });
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
    socket.bind(address.port, address.host, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  return socket;
}
