import type { ErrorHandler } from '../callbacks.js';
import type { TransportName } from '../transport/address.js';

/**
 * A connection as a codec sees it: what the codecs really use, declared at
 * their own layer so that they never import the connection classes above
 * them. `TcpConnection` and `UdpConnection` (connection/) implement it.
 */

/** The connection states, as numbers (the origin's values). */
export const ConnectionStatus = {
  INITIAL: 0,
  CONNECTING: 1,
  ESTABLISHED: 2,
  CLOSING: 4,
  CLOSED: 8,
} as const;
export type ConnectionStatusValue = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/**
 * Process-wide defaults of every new connection, kept here because codecs
 * read them too (the WebSocket codec replaces the generic packet bound only
 * while it is still the shipped one). `TcpConnection.defaultMaxPackageSize`
 * and `defaultMaxSendBufferSize` read and write these.
 */
export const connectionDefaults = {
  /** Largest packet a codec may announce or leave unterminated: 10 MiB. */
  maxPackageSize: 10 * 1024 * 1024,
  /** Bytes that may wait in a send buffer: 1 MiB. */
  maxSendBufferSize: 1024 * 1024,
};

/** The worker a connection belongs to, as a codec sees it (a codec reads the worker's default hooks). */
export interface CodecConnectionOwner {
  getSocketName(): string;
}

/** What every codec may use: stream and datagram connections alike. */
export interface CodecConnection {
  transport: TransportName;
  /** Takes the connection itself (see callbacks.ts). */
  readonly onError: ErrorHandler<never> | null;
  send(data: unknown, raw?: boolean): boolean | null;
  close(data?: unknown, raw?: boolean): void;
  /** `connection 12 (1.2.3.4:5678 on websocket://0.0.0.0:8080)`, for messages. */
  describe(): string;
  getRemoteIp(): string;
  getRemotePort(): number;
  getLocalIp(): string;
  getLocalPort(): number;
}

/** What a codec on a stream (HTTP, WebSocket) uses beyond that: flow control and state. */
export interface StreamCodecConnection extends CodecConnection {
  readonly id: number;
  maxPackageSize: number;
  maxSendBufferSize: number;
  readonly bytesWritten: number;
  readonly worker: CodecConnectionOwner | null;
  /** True when bytes after the packet being delivered are already here. */
  readonly hasPendingInput: boolean;
  destroy(): void;
  getStatus(): number;
  getSendBufferQueueSize(): number;
  getRecvBufferQueueSize(): number;
  pauseRecv(): void;
  resumeRecv(): void;
  /** A codec's own pause (an inflate in flight), apart from the app's `pauseRecv`. */
  holdRecv(): void;
  releaseRecv(): void;
  whenSendBufferEmpty(callback: () => void): void;
  /** Hands a decoded message to the app, as the packet reader does (a codec that decodes later, off the loop). */
  deliver(data: unknown, more: boolean): void;
}
