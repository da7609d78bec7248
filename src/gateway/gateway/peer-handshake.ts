import type { TcpConnection } from '../../connection/tcp-connection.js';
import { ErrorCodes } from '../../errors.js';
import { log } from '../../log.js';
import { Command } from '../wire/commands.js';
import { encodeFrame, type GatewayFrame } from '../wire/frames.js';
import { checkProof, newChallenge } from '../wire/link-auth.js';
import type { PeerLink } from './peer-link.js';

/** An internal link as the gateway's listener accepts it, with its `PeerLink`. */
export type Link = TcpConnection<unknown, unknown, PeerLink>;

/**
 * The gateway's side of an internal link's start: a fresh challenge on
 * connect, the peer's HMAC answer checked (see wire/link-auth.ts), and a
 * link that does not answer within `authTimeout` seconds cut.
 */
export function challengePeer(connection: Link, authTimeoutSeconds: number): void {
  const link = connection.context;
  link.challenge = newChallenge();
  connection.send(encodeFrame(Command.CHALLENGE, 0, 0, 0, link.challenge, null));
  const timer = setTimeout(() => {
    if (!link.authenticated) {
      refusePeer(
        connection,
        `no answer to the challenge within ${authTimeoutSeconds} s (authTimeout)`,
      );
    }
  }, authTimeoutSeconds * 1000);
  timer.unref();
}

/**
 * Checks the first frame of a link: an AUTH that proves the key. On
 * success the link knows its role and key and is told the gateway's public
 * port and client id prefix; otherwise it is cut with a logged reason.
 */
export function authenticatePeer(
  connection: Link,
  frame: GatewayFrame,
  secretKey: string,
  welcome: { gatewayPort: number; idPrefix: string },
): boolean {
  const link = connection.context;
  let answer: { role?: unknown; key?: unknown; proof?: unknown } = {};
  try {
    if (frame.cmd === Command.AUTH) answer = JSON.parse(frame.ext.toString());
  } catch {}
  const role = answer.role === 'worker' || answer.role === 'client' ? answer.role : null;
  const key = typeof answer.key === 'string' ? answer.key.slice(0, 256) : '';
  if (role === null || !checkProof(secretKey, link.challenge, role, key, answer.proof)) {
    refusePeer(
      connection,
      frame.cmd === Command.AUTH
        ? 'wrong proof of the secret key'
        : `command ${frame.cmd} before authenticating`,
    );
    return false;
  }
  link.challenge = '';
  link.role = role;
  link.key = `${connection.getRemoteIp()}:${key}`;
  connection.send(encodeFrame(Command.AUTH_OK, 0, 0, 0, JSON.stringify(welcome), null));
  return true;
}

/** Cuts a link with a logged reason: an authentication failure, or a malformed frame after it. */
export function refusePeer(connection: Link, reason: string): void {
  const code = connection.context.authenticated
    ? ErrorCodes.BAD_PACKET
    : ErrorCodes.LINK_AUTH_FAILED;
  const who = connection.context.key || connection.getRemoteAddress();
  log(`gateway: internal link from ${who} cut (${code}): ${reason}`);
  connection.destroy();
}

/** Cuts the links silent for longer than `timeoutSeconds` (their peers ping while idle). */
export function cutSilentPeers(connections: Iterable<Link>, timeoutSeconds: number): void {
  const now = Date.now();
  for (const connection of connections) {
    if (now - connection.context.lastSeen <= timeoutSeconds * 1000) continue;
    log(
      `gateway: internal link ${connection.context.key || connection.getRemoteAddress()} ` +
        `silent for ${timeoutSeconds} s (linkTimeout): cut`,
    );
    connection.destroy();
  }
}
