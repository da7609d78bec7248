import type { Socket as DatagramSocket, RemoteInfo } from 'node:dgram';
import type { Socket } from 'node:net';
import { invokeCallback } from '../callbacks.js';
import type { ConnectionOwner } from '../connection/connection.js';
import { TcpConnection } from '../connection/tcp-connection.js';
import { UdpConnection } from '../connection/udp-connection.js';
import { debugWorker } from '../log.js';
import type { Protocol } from '../protocols/protocol.js';
import type { TransportName } from '../transport/address.js';

/** A connection typed loosely, for the code that wires it up; the worker's types are the user's view. */
type LooseTcpConnection = TcpConnection<unknown, unknown, object>;
type LooseUdpConnection = UdpConnection<unknown, unknown, object>;

/** What a Worker hands each connection it makes: its callbacks, codec and context. */
export interface ConnectionSource extends ConnectionOwner {
  readonly transport: TransportName;
  readonly onConnect: unknown;
  readonly onMessage: unknown;
  readonly onClose: unknown;
  readonly onError: unknown;
  readonly onBufferFull: unknown;
  readonly onBufferDrain: unknown;
}

/**
 * Wraps an accepted socket: the worker's callbacks and codec, registered
 * among its connections, the codec's `onConnect`, then the app's. Returns
 * `null` when the codec refused the connection (it is destroyed).
 */
export function acceptConnection(
  worker: ConnectionSource,
  socket: Socket,
  codec: Protocol<unknown, unknown> | null,
  makeContext: (() => object) | null,
): LooseTcpConnection | null {
  const connection = new TcpConnection<unknown, unknown, object>(socket, codec);
  connection.worker = worker;
  connection.contextFactory = makeContext;
  connection.transport = worker.transport;
  connection.onMessage = worker.onMessage as LooseTcpConnection['onMessage'];
  connection.onClose = worker.onClose as LooseTcpConnection['onClose'];
  connection.onError = worker.onError as LooseTcpConnection['onError'];
  connection.onBufferFull = worker.onBufferFull as LooseTcpConnection['onBufferFull'];
  connection.onBufferDrain = worker.onBufferDrain as LooseTcpConnection['onBufferDrain'];
  worker.connections.set(connection.id, connection);
  socket.resume();
  if (codec?.onConnect) {
    try {
      codec.onConnect(connection);
    } catch (error) {
      debugWorker('codec onConnect threw: %s', error);
      connection.destroy();
      return null;
    }
  }
  const onConnect = worker.onConnect as LooseTcpConnection['onClose'];
  if (onConnect) invokeCallback(connection, 'onConnect', onConnect, connection, undefined);
  return connection;
}

/** Delivers one datagram as a message of a UDP connection made for its sender. */
export function receiveDatagram(
  worker: ConnectionSource,
  socket: DatagramSocket,
  datagram: Buffer,
  remote: RemoteInfo,
  codec: Protocol<unknown, unknown> | null,
  makeContext: (() => object) | null,
): void {
  const connection = new UdpConnection<unknown, unknown, object>(
    socket,
    remote.address,
    remote.port,
    codec,
  );
  connection.worker = worker;
  connection.contextFactory = makeContext;
  connection.onMessage = worker.onMessage as LooseUdpConnection['onMessage'];
  connection.onError = worker.onError as LooseUdpConnection['onError'];
  connection.receiveDatagram(datagram);
}
