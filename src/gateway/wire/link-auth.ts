import { nodeCrypto } from '../../builtins.js';

/**
 * Proof that a peer of an internal link (gateway, business worker,
 * GatewayClient, register) knows the cluster's `secretKey`, without the key
 * ever crossing the wire or reaching a log.
 *
 * The accepting side sends a fresh random challenge on connect; the
 * connecting side answers with HMAC-SHA256(secretKey, challenge ‖ role ‖
 * identity). Binding the role and identity into the proof keeps an
 * answer captured on one link from being replayed as another role, and the
 * fresh challenge keeps it from being replayed at all. An empty key still
 * runs the exchange (the key is then public): one code path, one behaviour.
 */

/** Bytes of a challenge: 128 bits from the system's CSPRNG. */
const CHALLENGE_BYTES = 16;

/** A fresh challenge, hex encoded (32 characters). */
export function newChallenge(): string {
  return nodeCrypto().randomBytes(CHALLENGE_BYTES).toString('hex');
}

/** The answer to `challenge` for a peer that says it is `role` / `identity`: 64 hex characters. */
export function proveKnowledge(
  secretKey: string,
  challenge: string,
  role: string,
  identity: string,
): string {
  return nodeCrypto()
    .createHmac('sha256', secretKey)
    .update(challenge)
    .update('\0')
    .update(role)
    .update('\0')
    .update(identity)
    .digest('hex');
}

/**
 * Whether `proof` answers `challenge` for `role` / `identity`; the
 * comparison takes the same time wherever the first difference is.
 */
export function checkProof(
  secretKey: string,
  challenge: string,
  role: string,
  identity: string,
  proof: unknown,
): boolean {
  if (typeof proof !== 'string' || proof.length !== 64) return false;
  const expected = Buffer.from(proveKnowledge(secretKey, challenge, role, identity), 'hex');
  const given = Buffer.from(proof, 'hex');
  return given.length === expected.length && nodeCrypto().timingSafeEqual(given, expected);
}
