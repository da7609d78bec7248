import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  deflateMessage,
  inflateMessage,
  MessageInflater,
} from '../../../src/protocols/websocket/deflate-transform.js';
import {
  acceptDeflateOffer,
  CLIENT_OFFER,
  checkDeflateResponse,
} from '../../../src/protocols/websocket/permessage-deflate.js';

const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
const SERVER_SIDE = { sendWindowBits: 15, receiveContextTakeover: false, receiveWindowBits: 15 };

test('RFC 7692 negotiation: the first acceptable offer wins, answered without context takeover', () => {
  assert.equal(acceptDeflateOffer(undefined), null);
  assert.equal(acceptDeflateOffer('x-webkit-deflate-frame'), null);
  assert.deepEqual(acceptDeflateOffer('permessage-deflate'), {
    parameters: SERVER_SIDE,
    response: ANSWER,
  });
  assert.equal(acceptDeflateOffer('permessage-deflate; client_max_window_bits')?.response, ANSWER);
  assert.equal(
    acceptDeflateOffer('permessage-deflate; server_max_window_bits=10')?.response,
    `${ANSWER}; server_max_window_bits=10`,
  );
  // Unknown, duplicated or malformed parameters make an offer unacceptable.
  assert.equal(acceptDeflateOffer('permessage-deflate; foo=1'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate; server_no_context_takeover=1'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate; server_max_window_bits=16'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate; server_max_window_bits=7'), null);
  assert.equal(acceptDeflateOffer('permessage-deflate; server_max_window_bits'), null);
  assert.equal(
    acceptDeflateOffer('permessage-deflate; client_max_window_bits; client_max_window_bits'),
    null,
  );
  assert.equal(
    acceptDeflateOffer('permessage-deflate; client_max_window_bits="9"')?.response,
    ANSWER,
  );
});

// The offers of Autobahn|Testsuite 12.x and 13.1-13.7 (its client side), each
// accepted with the window it asks of the server.
test('the Autobahn 12.x/13.x offers are all accepted, server_max_window_bits=8 included', () => {
  const base = 'permessage-deflate; client_no_context_takeover; client_max_window_bits';
  const cases: [offer: string, answer: string, bits: number][] = [
    [base, ANSWER, 15],
    [`${base}; server_no_context_takeover`, ANSWER, 15],
    [`${base}; server_max_window_bits=8`, `${ANSWER}; server_max_window_bits=8`, 8],
    [`${base}; server_max_window_bits=15`, `${ANSWER}; server_max_window_bits=15`, 15],
    [
      `${base}; server_no_context_takeover; server_max_window_bits=8`,
      `${ANSWER}; server_max_window_bits=8`,
      8,
    ],
    [
      `${base}; server_no_context_takeover; server_max_window_bits=8, ${base}; server_no_context_takeover, ${base}`,
      `${ANSWER}; server_max_window_bits=8`,
      8,
    ],
  ];
  for (const [offer, answer, bits] of cases) {
    const accepted = acceptDeflateOffer(offer);
    assert.equal(accepted?.response, answer, offer);
    assert.deepEqual(accepted?.parameters, { ...SERVER_SIDE, sendWindowBits: bits }, offer);
  }
});

test('the client offers client_max_window_bits and takes every answer RFC 7692 allows', () => {
  assert.equal(CLIENT_OFFER, 'permessage-deflate; client_max_window_bits');
  assert.equal(checkDeflateResponse(undefined), null);
  const takeover = { sendWindowBits: 15, receiveContextTakeover: true, receiveWindowBits: 15 };
  assert.deepEqual(checkDeflateResponse('permessage-deflate'), takeover);
  assert.deepEqual(checkDeflateResponse(ANSWER), { ...takeover, receiveContextTakeover: false });
  assert.deepEqual(checkDeflateResponse('permessage-deflate; client_max_window_bits=8'), {
    ...takeover,
    sendWindowBits: 8,
  });
  assert.deepEqual(
    checkDeflateResponse(
      'Permessage-Deflate; server_max_window_bits=9; client_no_context_takeover',
    ),
    { ...takeover, receiveWindowBits: 9 },
  );
  for (const bad of [
    `${ANSWER}; foo`,
    'x-other',
    'permessage-deflate, permessage-deflate',
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; server_no_context_takeover=yes',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
  ]) {
    assert.equal(typeof checkDeflateResponse(bad), 'string', bad);
  }
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

/** Bytes with repeats at distances 255..314, so an over-long match distance would show. */
function repeats(count: number): Buffer {
  const seed = Buffer.from(Array.from({ length: 320 }, (_, i) => (i * 7919 + 13) % 251));
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) parts.push(seed.subarray(0, 255 + (i % 60)));
  return Buffer.concat(parts);
}

test('server_max_window_bits=8: what we compress inflates with a 256-byte window', () => {
  const data = repeats(200);
  const compressed = deflateMessage(data, 8);
  // chunkSize 64 makes the inflater reach back through its window, not its output.
  const inflated = inflateRawSync(Buffer.concat([compressed, Buffer.from([0, 0, 0xff, 0xff])]), {
    windowBits: 8,
    chunkSize: 64,
    finishFlush: constants.Z_SYNC_FLUSH,
  });
  assert.ok(inflated.equals(data));
  // The same data compressed with a 15-bit window does reach farther back: the check can fail.
  const wide = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
  assert.throws(
    () => inflateRawSync(wide, { windowBits: 8, chunkSize: 64, finishFlush: 2 }),
    /too far back/,
  );
});

/** Messages compressed by one long-lived compressor (context takeover), each without its tail. */
async function withContextTakeover(messages: Buffer[], windowBits = 15): Promise<Buffer[]> {
  const deflater = createDeflateRaw({ windowBits });
  const out: Buffer[] = [];
  let chunks: Buffer[] = [];
  deflater.on('data', (chunk: Buffer) => chunks.push(chunk));
  for (const message of messages) {
    chunks = [];
    deflater.write(message);
    await new Promise<void>((resolve) => deflater.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const whole = Buffer.concat(chunks);
    out.push(whole.subarray(0, whole.length - 4));
  }
  deflater.close();
  return out;
}

test('a peer with context takeover: each message inflates with the earlier ones as its window', async () => {
  const messages = Array.from({ length: 40 }, (_, i) =>
    Buffer.from(
      JSON.stringify({
        i,
        text: 'hello context '.repeat(10 + (i % 7)),
        big: i % 9 === 0 ? 'y'.repeat(40_000) : '',
      }),
    ),
  );
  for (const bits of [8, 9, 15]) {
    const compressed = await withContextTakeover(messages, bits);
    // Later messages refer back to earlier ones: alone they do not inflate.
    assert.throws(() => inflateMessage(compressed[3] as Buffer, 1 << 20), /too far back/);
    const inflater = new MessageInflater({
      sendWindowBits: 15,
      receiveContextTakeover: true,
      receiveWindowBits: bits,
    });
    // Small ones inflate at once, the 40 KB ones on the threadpool: the window follows both.
    for (const [i, data] of compressed.entries()) {
      assert.ok(
        (await inflater.inflate(data, 1 << 20))?.equals(messages[i] as Buffer),
        `${bits} bits, #${i}`,
      );
    }
  }
  // Without context takeover agreed, each message stands alone.
  const alone = new MessageInflater(SERVER_SIDE);
  for (const message of messages.slice(0, 5)) {
    assert.ok((await alone.inflate(deflateMessage(message), 1 << 20))?.equals(message));
  }
});

test('context takeover keeps the bound: a bomb after normal messages is refused at the limit', async () => {
  const [first, bomb] = await withContextTakeover([
    Buffer.from('x'.repeat(100)),
    Buffer.alloc(8 << 20),
  ]);
  const inflater = new MessageInflater({
    sendWindowBits: 15,
    receiveContextTakeover: true,
    receiveWindowBits: 15,
  });
  assert.equal(inflater.inflate(first as Buffer, 1 << 20)?.toString(), 'x'.repeat(100));
  const refused = inflater.inflate(bomb as Buffer, 1 << 20);
  assert.ok(refused instanceof Promise, 'past 16 KiB, inflated off the event loop');
  assert.equal(await refused, null);
});
