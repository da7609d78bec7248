import { createHash, randomBytes } from 'node:crypto';
import { TestClient } from './test-client.js';

/** A frame as read from the server: header bits and the (unmasked) payload. */
export interface RawFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** Reads one frame through `readBytes` (exactly that many bytes each call), unmasking its payload. */
export async function readRawFrame(
  readBytes: (length: number) => Promise<Buffer>,
): Promise<RawFrame> {
  const [b0, b1] = (await readBytes(2)) as unknown as [number, number];
  let length = b1 & 0x7f;
  if (length === 126) length = (await readBytes(2)).readUInt16BE(0);
  else if (length === 127) length = Number((await readBytes(8)).readBigUInt64BE(0));
  const masked = (b1 & 0x80) !== 0;
  const key = masked ? await readBytes(4) : null;
  const payload = Buffer.from(length > 0 ? await readBytes(length) : Buffer.alloc(0));
  if (key)
    for (let i = 0; i < length; i++) payload[i] = (payload[i] as number) ^ (key[i % 4] as number);
  return { fin: (b0 & 0x80) !== 0, rsv: b0 & 0x70, opcode: b0 & 0x0f, masked, payload };
}

/** Reads frames until a Close frame; resolves with its code (1005 when empty). */
export async function readCloseCode(readFrame: () => Promise<RawFrame>): Promise<number> {
  for (;;) {
    const frame = await readFrame();
    if (frame.opcode === 0x8)
      return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
  }
}

/** Builds one client frame byte by byte (masked unless told otherwise), for tests that break rules on purpose. */
export function clientFrame(
  opcode: number,
  payload: Buffer | string = '',
  options: { fin?: boolean; mask?: boolean; rsv?: number; key?: Buffer } = {},
): Buffer {
  const { fin = true, mask = true, rsv = 0 } = options;
  const body = Buffer.from(payload);
  const length = body.length;
  const head: number[] = [(fin ? 0x80 : 0) | rsv | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 0x10000) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127, 0, 0);
    const big = Buffer.alloc(6);
    big.writeUIntBE(length, 0, 6);
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = options.key ?? randomBytes(4);
  const out = Buffer.concat([Buffer.from(head), key, body]);
  const at = head.length + 4;
  for (let i = 0; i < length; i++) out[at + i] = (out[at + i] as number) ^ (key[i % 4] as number);
  return out;
}

/** A hand-driven WebSocket client over a plain socket: exact bytes out, exact frames in. */
export class RawWebSocketClient {
  readonly client: TestClient;

  private constructor(client: TestClient) {
    this.client = client;
  }

  /** Connects and sends an upgrade request; resolves with the answer's head. */
  static async open(
    port: number,
    path = '/',
    extraHeaders: string[] = [],
  ): Promise<{ ws: RawWebSocketClient; head: string }> {
    const client = await TestClient.connect(port);
    const key = randomBytes(16).toString('base64');
    client.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${key}`,
        'Sec-WebSocket-Version: 13',
        ...extraHeaders,
        '',
        '',
      ].join('\r\n'),
    );
    const ws = new RawWebSocketClient(client);
    const head = await ws.readHead();
    if (head.startsWith('HTTP/1.1 101')) {
      const accept = createHash('sha1')
        .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      if (!head.includes(`Sec-WebSocket-Accept: ${accept}\r\n`))
        throw new Error(`bad accept in ${head}`);
    }
    return { ws, head };
  }

  /** Reads up to and including CRLF CRLF. */
  async readHead(): Promise<string> {
    let head = '';
    while (!head.endsWith('\r\n\r\n')) head += (await this.client.readBytes(1)).toString('latin1');
    return head;
  }

  send(bytes: Buffer): void {
    this.client.write(bytes);
  }

  readFrame(): Promise<RawFrame> {
    return readRawFrame((length) => this.client.readBytes(length));
  }

  /** Reads frames until a Close frame; resolves with its code (1005 when empty). */
  readClose(): Promise<number> {
    return readCloseCode(() => this.readFrame());
  }

  closed(): Promise<void> {
    return this.client.closed();
  }

  destroy(): void {
    this.client.destroy();
  }
}
