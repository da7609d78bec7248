import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * permessage-deflate (RFC 7692): negotiation and the per-message transform.
 *
 * Both directions run without context takeover (each message is a complete
 * raw DEFLATE stream flushed with an empty stored block), so a message is
 * inflated synchronously on its own and its output can be bounded: inflation
 * stops at the message limit and the message is refused (1009) instead of
 * being inflated (a "compression bomb" costs the limit, not its expansion).
 * The server says so in its answer (`server_no_context_takeover;
 * client_no_context_takeover`, which §7.1.1.1-2 allow it to add).
 */

export const EXTENSION_NAME = 'permessage-deflate';
/** §7.2.1: the 4 bytes a sender strips from the end of each compressed message. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface DeflateParameters {
  /** LZ77 window of the server's compressor (§7.1.2.1), 9..15. */
  serverMaxWindowBits: number;
}

/** One extension offer: `name; param; param=value` (RFC 6455 §9.1). */
interface Offer {
  name: string;
  params: Map<string, string | true>;
}

/** Parses a `Sec-WebSocket-Extensions` value into offers; null when malformed. */
export function parseExtensions(header: string): Offer[] | null {
  const offers: Offer[] = [];
  for (const item of header.split(',')) {
    const parts = item.split(';').map((part) => part.trim());
    const name = (parts.shift() ?? '').toLowerCase();
    if (name === '') {
      if (parts.length === 0) continue;
      return null;
    }
    const params = new Map<string, string | true>();
    for (const part of parts) {
      const eq = part.indexOf('=');
      const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
      if (key === '') return null;
      let value: string | true = true;
      if (eq !== -1)
        value = part
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1');
      if (params.has(key)) return null; // §7.1: a parameter appears at most once
      params.set(key, value);
    }
    offers.push({ name, params });
  }
  return offers;
}

function windowBits(value: string | true | undefined): number | null {
  if (value === undefined || value === true) return null;
  if (!/^\d{1,2}$/.test(value)) return null;
  const bits = Number(value);
  return bits >= 8 && bits <= 15 ? bits : null;
}

/**
 * Picks the first acceptable permessage-deflate offer of a client (§7.1):
 * returns the parameters and the answer for `Sec-WebSocket-Extensions`,
 * or null to decline (no offer, or none we can honour).
 */
export function acceptDeflateOffer(
  header: string | undefined,
): { parameters: DeflateParameters; response: string } | null {
  if (!header) return null;
  const offers = parseExtensions(header);
  if (offers === null) return null;
  for (const offer of offers) {
    if (offer.name !== EXTENSION_NAME) continue;
    let serverBits = 15;
    let acceptable = true;
    for (const [key, value] of offer.params) {
      if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
        if (value !== true) acceptable = false;
      } else if (key === 'server_max_window_bits') {
        const bits = windowBits(value);
        // zlib cannot compress raw DEFLATE with an 8-bit window: decline.
        if (bits === null || bits < 9) acceptable = false;
        else serverBits = bits;
      } else if (key === 'client_max_window_bits') {
        if (value !== true && windowBits(value) === null) acceptable = false;
      } else {
        acceptable = false;
      }
    }
    if (!acceptable) continue;
    let response = `${EXTENSION_NAME}; server_no_context_takeover; client_no_context_takeover`;
    if (offer.params.has('server_max_window_bits'))
      response += `; server_max_window_bits=${serverBits}`;
    return { parameters: { serverMaxWindowBits: serverBits }, response };
  }
  return null;
}

/** The client's offer: no context takeover either way, as this side implements. */
export const CLIENT_OFFER = `${EXTENSION_NAME}; server_no_context_takeover; client_no_context_takeover`;

/**
 * Checks the server's answer to `CLIENT_OFFER`: null when the server declined
 * (no extension), the parameters when it accepted as offered, or an error
 * message when the answer is not one the offer allows (§7.1).
 */
export function checkDeflateResponse(
  header: string | undefined,
): DeflateParameters | null | string {
  if (!header) return null;
  const offers = parseExtensions(header);
  if (offers === null || offers.length !== 1 || offers[0]?.name !== EXTENSION_NAME) {
    return `unexpected Sec-WebSocket-Extensions "${header}"`;
  }
  const params = (offers[0] as Offer).params;
  if (!params.has('server_no_context_takeover')) {
    return 'the server did not accept server_no_context_takeover';
  }
  for (const [key, value] of params) {
    if (key === 'server_max_window_bits' || key === 'client_max_window_bits') {
      if (windowBits(value) === null) return `invalid ${key} in the server's answer`;
    } else if (key !== 'server_no_context_takeover' && key !== 'client_no_context_takeover') {
      return `unknown parameter ${key} in the server's answer`;
    }
  }
  return { serverMaxWindowBits: 15 };
}

/**
 * Inflates one message; null when its output would pass `limit` bytes (the
 * inflater stops there). Throws on data that is not DEFLATE.
 */
export function inflateMessage(data: Buffer, limit: number): Buffer | null {
  try {
    // One byte of headroom tells "exactly at the limit" from "past it".
    const inflated = inflateRawSync(Buffer.concat([data, TAIL]), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: limit + 1,
    });
    return inflated.length > limit ? null : inflated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw error;
  }
}

/** Compresses one message, without the 4-byte tail (§7.2.1). */
export function deflateMessage(data: string | Uint8Array, windowBits = 15): Buffer {
  const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH, windowBits });
  return out.subarray(0, out.length - TAIL.length);
}
