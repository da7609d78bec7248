import { BodyKind } from '../wire/commands.js';

/** What the Gateway API sends to a client: text, bytes, or a value for a codec that encodes values. */
export type ClientMessage = string | Uint8Array | object | number | boolean | null;

/** A message as a frame body and the kind that says how to read it back. */
export function messageBody(message: ClientMessage): { kind: number; body: Buffer | string } {
  if (typeof message === 'string') return { kind: BodyKind.TEXT, body: message };
  if (message instanceof Uint8Array) {
    return {
      kind: BodyKind.BINARY,
      body: Buffer.isBuffer(message)
        ? message
        : Buffer.from(message.buffer, message.byteOffset, message.byteLength),
    };
  }
  return { kind: BodyKind.JSON, body: JSON.stringify(message) };
}

/** A client event's body, as the business worker's `onMessage` is given it. */
export function bodyMessage(kind: number, body: Buffer): unknown {
  if (kind === BodyKind.TEXT) return body.toString();
  if (kind === BodyKind.JSON) return JSON.parse(body.toString());
  return body;
}
