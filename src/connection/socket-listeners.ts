import type { Socket } from 'node:net';
import { debugConnection } from '../log.js';

/**
 * The socket listeners of stream connections. They are shared functions, not
 * closures per connection: each finds its connection through a symbol-keyed
 * slot on the socket (as ws does), which costs no memory per connection.
 */

export const kOnSocketData = Symbol('workerman.onSocketData');
export const kOnSocketClose = Symbol('workerman.onSocketClose');
export const kOnSocketEnd = Symbol('workerman.onSocketEnd');
const kOwner = Symbol('workerman.connection');

/** What a connection offers the listeners of its socket. */
export interface SocketOwner {
  /** A chunk was read; `transient`: it lives in the shared read buffer, valid during the call only. */
  [kOnSocketData](chunk: Buffer, transient: boolean): void;
  /** The peer sent its FIN. */
  [kOnSocketEnd](socket: Socket): void;
  /** The socket is closed. */
  [kOnSocketClose](socket: Socket): void;
  describe(): string;
}

type OwnedSocket = Socket & { [kOwner]?: SocketOwner };

/** Routes the events of `socket` to `owner`. */
export function listenToSocket(socket: Socket, owner: SocketOwner): void {
  (socket as OwnedSocket)[kOwner] = owner;
  socket.on('data', socketOnData);
  socket.on('error', socketOnError);
  socket.on('end', socketOnEnd);
  socket.on('close', socketOnClose);
}

/** Stops routing the events of `socket` (a connection letting go of it to reconnect). */
export function forgetSocket(socket: Socket): void {
  delete (socket as OwnedSocket)[kOwner];
}

function socketOnData(this: OwnedSocket, chunk: Buffer): void {
  this[kOwner]?.[kOnSocketData](chunk, false);
}

/**
 * The `onread` callback of sockets that read into the shared read buffer
 * (see transport/read-buffer.ts): the same path as 'data', with a chunk that
 * is only valid during the call.
 */
export function socketOnRead(this: Socket, bytes: number, buffer: Uint8Array): boolean {
  const owner = (this as OwnedSocket)[kOwner];
  if (owner !== undefined) {
    const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
    owner[kOnSocketData](chunk, true);
  }
  return true;
}

function socketOnError(this: OwnedSocket, error: Error): void {
  debugConnection('socket error on %s: %s', this[kOwner]?.describe() ?? 'socket', error.message);
}

function socketOnEnd(this: OwnedSocket): void {
  this[kOwner]?.[kOnSocketEnd](this);
}

function socketOnClose(this: OwnedSocket): void {
  this[kOwner]?.[kOnSocketClose](this);
}
