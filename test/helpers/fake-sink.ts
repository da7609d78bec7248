import { PacketReader, type PacketSink } from '../../src/connection/packet-reader.js';
import type { Protocol, WorkermanError } from '../../src/index.js';
import { TcpConnection } from '../../src/index.js';

/** Drives a PacketReader without a socket: records what it delivers and rejects. */
export class FakeSink implements PacketSink {
  readonly connection = new TcpConnection();
  isReceiving = true;
  maxPackageSize: number;
  readonly delivered: unknown[] = [];
  readonly rejected: WorkermanError[] = [];
  readonly reader: PacketReader;

  constructor(protocol: Protocol<unknown, unknown>, maxPackageSize = 10 * 1024 * 1024) {
    this.maxPackageSize = maxPackageSize;
    this.reader = new PacketReader(this, protocol);
  }

  deliver(data: unknown): void {
    this.delivered.push(data);
  }

  reject(error: WorkermanError): void {
    this.rejected.push(error);
    this.isReceiving = false;
  }
}
