import { ErrorCodes, WorkermanError } from '../errors.js';
import { TRANSPORT_SCHEMES } from '../transport/address.js';
import { Frame } from './frame.js';
import { Http } from './http/http.js';
import type { Protocol } from './protocol.js';
import { Text } from './text.js';
import { Websocket } from './websocket/websocket.js';
import { Ws, Wss } from './websocket/ws.js';

const SCHEME_NAME = /^[a-zA-Z][a-zA-Z0-9+.-]*$/;

// Keyed by lower-cased name: `JsonNL://` and `jsonnl://` find the same codec,
// as the origin's class lookup is case-insensitive in PHP.
const codecs = new Map<string, Protocol<unknown, unknown>>();

/**
 * The scheme table: which codec an address scheme selects. `text` (and
 * `telnet`, its alias in the origin's manual), `frame`, `http` and the
 * WebSocket ones are built in; `Protocols.register('JsonNL', JsonNL)` makes
 * `new Worker('JsonNL://0.0.0.0:1234')` use `JsonNL`.
 */
export const Protocols = {
  text: Text,
  frame: Frame,

  register<D, E>(name: string, codec: Protocol<D, E>): void {
    if (!SCHEME_NAME.test(name)) {
      throw new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        `Protocols.register: "${name}" is not a valid scheme name (a letter, then letters, digits, "+", "-" or ".")`,
      );
    }
    if ((TRANSPORT_SCHEMES as readonly string[]).includes(name.toLowerCase())) {
      throw new WorkermanError(
        ErrorCodes.INVALID_OPTION,
        `Protocols.register: "${name}" is a transport, not a codec name`,
      );
    }
    for (const method of ['input', 'decode', 'encode'] as const) {
      if (typeof codec?.[method] !== 'function') {
        throw new WorkermanError(
          ErrorCodes.INVALID_OPTION,
          `Protocols.register: codec "${name}" has no ${method}() method`,
        );
      }
    }
    codecs.set(name.toLowerCase(), codec as unknown as Protocol<unknown, unknown>);
  },

  /** The codec registered under `name`, or `undefined`. */
  get(name: string): Protocol<unknown, unknown> | undefined {
    return codecs.get(name.toLowerCase());
  },

  /** Names of every registered codec. */
  names(): string[] {
    return [...codecs.keys()];
  },
};

Protocols.register('text', Text);
// The origin's manual listens on `telnet://` for line-based examples: the same codec.
Protocols.register('telnet', Text);
Protocols.register('frame', Frame);
Protocols.register('http', Http);
Protocols.register('websocket', Websocket);
Protocols.register('ws', Ws);
Protocols.register('wss', Wss);
