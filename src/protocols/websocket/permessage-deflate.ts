/**
 * permessage-deflate (RFC 7692): the negotiation, server and client side.
 * The transform itself is in deflate-transform.ts.
 *
 * Server: the first acceptable offer wins. Its answer always carries
 * `server_no_context_takeover; client_no_context_takeover` (§7.1.1.1-2 let a
 * server add both): each message then inflates on its own, bounded, and no
 * window is kept per connection. A requested `server_max_window_bits` (8 to
 * 15) is honoured and echoed.
 *
 * Client: offers `permessage-deflate; client_max_window_bits`, as browsers
 * do, and takes any answer RFC 7692 allows for it: with or without the
 * server's context takeover (then its window is kept, see MessageInflater),
 * with a `client_max_window_bits` our compressor then keeps to.
 */

export const EXTENSION_NAME = 'permessage-deflate';

/** What one side agreed to, as that side uses it. */
export interface DeflateParameters {
  /** Window bits of our compressor (8..15): the peer may keep no more (§7.1.2). */
  sendWindowBits: number;
  /** The peer keeps its LZ77 window across messages (no `*_no_context_takeover` for its direction). */
  receiveContextTakeover: boolean;
  /** Window bits of the peer's compressor: how much earlier output it may refer to. */
  receiveWindowBits: number;
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

/** A `*_max_window_bits` value: 8..15 in decimal (§7.1.2), else null. */
function windowBits(value: string | true | undefined): number | null {
  if (value === undefined || value === true) return null;
  if (!/^\d{1,2}$/.test(value)) return null;
  const bits = Number(value);
  return bits >= 8 && bits <= 15 ? bits : null;
}

/** The widest window, used when none was agreed. */
const MAX_WINDOW_BITS = 15;

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
    let serverBits = MAX_WINDOW_BITS;
    let acceptable = true;
    for (const [key, value] of offer.params) {
      if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
        if (value !== true) acceptable = false;
      } else if (key === 'server_max_window_bits') {
        const bits = windowBits(value);
        if (bits === null) acceptable = false;
        else serverBits = bits;
      } else if (key === 'client_max_window_bits') {
        // A hint (or a permission to limit the client): we inflate with the widest window.
        if (value !== true && windowBits(value) === null) acceptable = false;
      } else {
        acceptable = false;
      }
    }
    if (!acceptable) continue;
    let response = `${EXTENSION_NAME}; server_no_context_takeover; client_no_context_takeover`;
    if (offer.params.has('server_max_window_bits'))
      response += `; server_max_window_bits=${serverBits}`;
    return {
      parameters: {
        sendWindowBits: serverBits,
        receiveContextTakeover: false,
        receiveWindowBits: MAX_WINDOW_BITS,
      },
      response,
    };
  }
  return null;
}

/**
 * The client's offer: the server chooses context takeover and its window;
 * `client_max_window_bits` lets it limit ours too (§7.1.2.2).
 */
export const CLIENT_OFFER = `${EXTENSION_NAME}; client_max_window_bits`;

/**
 * Checks the server's answer to `CLIENT_OFFER`: null when the server declined
 * (no extension), the parameters to use when it accepted, or an error
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
  const parameters: DeflateParameters = {
    sendWindowBits: MAX_WINDOW_BITS,
    receiveContextTakeover: true,
    receiveWindowBits: MAX_WINDOW_BITS,
  };
  for (const [key, value] of (offers[0] as Offer).params) {
    if (key === 'server_no_context_takeover' || key === 'client_no_context_takeover') {
      if (value !== true) return `${key} with a value in the server's answer`;
      // Without context takeover on our side nothing changes: we never take it over.
      if (key === 'server_no_context_takeover') parameters.receiveContextTakeover = false;
    } else if (key === 'server_max_window_bits' || key === 'client_max_window_bits') {
      // In an answer both need a value (§7.1.2.1-2).
      const bits = windowBits(value);
      if (bits === null) return `invalid ${key} in the server's answer`;
      if (key === 'server_max_window_bits') parameters.receiveWindowBits = bits;
      else parameters.sendWindowBits = bits;
    } else {
      return `unknown parameter ${key} in the server's answer`;
    }
  }
  return parameters;
}
