import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProof, newChallenge, proveKnowledge } from '../../../src/gateway/wire/link-auth.js';

const KEY = 'cluster-secret';

test('a proof made with the key, challenge, role and identity is accepted', () => {
  const challenge = newChallenge();
  assert.match(challenge, /^[0-9a-f]{32}$/);
  const proof = proveKnowledge(KEY, challenge, 'gateway', '127.0.0.1:2900');
  assert.match(proof, /^[0-9a-f]{64}$/);
  assert.equal(checkProof(KEY, challenge, 'gateway', '127.0.0.1:2900', proof), true);
  // An empty key still runs the exchange.
  assert.equal(
    checkProof('', challenge, 'worker', '', proveKnowledge('', challenge, 'worker', '')),
    true,
  );
});

test('a proof is refused for another key, challenge, role or identity', () => {
  const challenge = newChallenge();
  const proof = proveKnowledge(KEY, challenge, 'gateway', '127.0.0.1:2900');
  assert.equal(checkProof('other-secret', challenge, 'gateway', '127.0.0.1:2900', proof), false);
  assert.equal(checkProof(KEY, newChallenge(), 'gateway', '127.0.0.1:2900', proof), false);
  assert.equal(checkProof(KEY, challenge, 'worker', '127.0.0.1:2900', proof), false);
  assert.equal(checkProof(KEY, challenge, 'gateway', '127.0.0.1:2901', proof), false);
  // Role and identity are separated: 'gate' + 'way…' is not 'gateway' + '…'.
  const split = proveKnowledge(KEY, challenge, 'gate', 'way127.0.0.1:2900');
  assert.equal(checkProof(KEY, challenge, 'gateway', '127.0.0.1:2900', split), false);
});

test('a proof that is not 64 hex characters is refused', () => {
  const challenge = newChallenge();
  const proof = proveKnowledge(KEY, challenge, 'client', '');
  assert.equal(checkProof(KEY, challenge, 'client', '', proof.slice(0, 63)), false);
  assert.equal(checkProof(KEY, challenge, 'client', '', `${proof}0`), false);
  assert.equal(checkProof(KEY, challenge, 'client', '', 'z'.repeat(64)), false);
  // Non-hex characters make Buffer.from stop early: the length check refuses it.
  assert.equal(checkProof(KEY, challenge, 'client', '', `${proof.slice(0, 62)}zz`), false);
  assert.equal(checkProof(KEY, challenge, 'client', '', ''), false);
  assert.equal(checkProof(KEY, challenge, 'client', '', undefined), false);
  assert.equal(checkProof(KEY, challenge, 'client', '', 42), false);
  assert.equal(checkProof(KEY, challenge, 'client', '', proof.toUpperCase()), true);
});
