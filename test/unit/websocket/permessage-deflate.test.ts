import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptDeflateOffer,
  checkDeflateResponse,
  deflateMessage,
  inflateMessage,
} from '../../../src/protocols/websocket/permessage-deflate.js';

const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';

test('RFC 7692 negotiation: the first acceptable offer wins, answered without context takeover', () => {
  assert.equal(acceptDeflateOffer(undefined), null);
  assert.equal(acceptDeflateOffer('x-webkit-deflate-frame'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate')?.response, ANSWER);
  assert.equal(acceptDeflateOffer('permessage-deflate; client_max_window_bits')?.response, ANSWER);
  assert.equal(
    acceptDeflateOffer('permessage-deflate; server_max_window_bits=10')?.response,
    `${ANSWER}; server_max_window_bits=10`,
  );
  // An 8-bit server window cannot be honoured: that offer is declined, the next one taken.
  assert.equal(
    acceptDeflateOffer('permessage-deflate; server_max_window_bits=8, permessage-deflate')
      ?.response,
    ANSWER,
  );
  // Unknown, duplicated or malformed parameters make an offer unacceptable.
  assert.equal(acceptDeflateOffer('permessage-deflate; foo=1'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate; server_no_context_takeover=1'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate; server_max_window_bits=16'), null);
  assert.equal(
    acceptDeflateOffer('permessage-deflate; client_max_window_bits; client_max_window_bits'),
    null,
  );
  assert.equal(
    acceptDeflateOffer('permessage-deflate; client_max_window_bits="9"')?.response,
    ANSWER,
  );
});

test('the client checks the server answer', () => {
  assert.equal(checkDeflateResponse(undefined), null);
  assert.deepEqual(checkDeflateResponse(ANSWER), { serverMaxWindowBits: 15 });
  assert.equal(typeof checkDeflateResponse('permessage-deflate'), 'string');
  assert.equal(typeof checkDeflateResponse(`${ANSWER}; foo`), 'string');
  assert.equal(typeof checkDeflateResponse('x-other'), 'string');
});

test('deflate then inflate restores every size, bounded by the limit', () => {
  for (const size of [0, 1, 1000, 100_000]) {
    const data = Buffer.alloc(size, 'abc');
    assert.deepEqual(inflateMessage(deflateMessage(data), size), data);
    if (size > 0) assert.equal(inflateMessage(deflateMessage(data), size - 1), null);
  }
  assert.deepEqual(
    inflateMessage(deflateMessage('x'.repeat(5000), 9), 5000)?.toString(),
    'x'.repeat(5000),
  );
});
