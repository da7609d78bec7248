import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { AsyncTcpConnection } from '../../../src/index.js';
import { listenWorker } from '../../helpers/listen.js';
import { connectWebSocketClient } from '../../helpers/ws-client-connect.js';

// permessage-deflate parameters, every combination Autobahn|Testsuite 12.x
// and 13.1-13.7 negotiate, with `ws` as the peer in both directions: `ws`
// offers or answers them, compresses everything (threshold 0) and inflates
// what we send with exactly the window it agreed to. The messages are
// consecutive slices of one JSON text, as Autobahn sends its data file, so a
// compressor keeping its window refers back to earlier messages.

const SIZES = [16, 64, 256, 1024, 4096, 16384, 65536, 131072];

/** About 300 KB of JSON records that repeat with variations (like Autobahn's data1.json). */
const CORPUS = Buffer.from(
  JSON.stringify(
    Array.from({ length: 2500 }, (_, i) => ({
      id: i,
      name: `user-${(i * 7919) % 1000}`,
      tags: ['alpha', 'beta', 'gamma', 'delta'].slice(0, 1 + (i % 4)),
      score: (i * 37) % 101,
      note: i % 5 === 0 ? 'x'.repeat(i % 300) : 'regular entry',
    })),
  ),
);

/** The messages one case sends: for each size, three slices in a row, cycling through the corpus. */
function messages(): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const size of SIZES) {
    for (let i = 0; i < 3; i++) {
      const end = at + size;
      out.push(
        end <= CORPUS.length
          ? CORPUS.subarray(at, end)
          : Buffer.concat([CORPUS.subarray(at), CORPUS.subarray(0, end - CORPUS.length)]),
      );
      at = end % CORPUS.length;
    }
  }
  return out;
}

/** Sends each message (as text and as binary) and checks the echo, one at a time. */
async function roundTrips(
  send: (data: Buffer | string) => void,
  next: () => Promise<Buffer | string>,
  label: string,
) {
  for (const message of messages()) {
    send(message.toString('latin1'));
    assert.equal(await next(), message.toString('latin1'), `${label}: text of ${message.length}`);
    send(message);
    const echoed = await next();
    assert.ok(
      Buffer.isBuffer(echoed) && echoed.equals(message),
      `${label}: binary of ${message.length}`,
    );
  }
}

/** Messages as they arrive; waiting for one fails once the connection is gone. */
function inbox<T>() {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  let gone: Error | null = null;
  return {
    push(item: T) {
      queue.push(item);
      wake?.();
    },
    close(why: string) {
      gone = new Error(`connection closed while a message was awaited: ${why}`);
      wake?.();
    },
    async next(): Promise<T> {
      while (queue.length === 0) {
        if (gone) throw gone;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      return queue.shift() as T;
    },
  };
}

/** The parameters of one extension answer, in a fixed order (the order on the wire is free). */
function parameters(header: string): string[] {
  return header
    .split(';')
    .map((part) => part.trim())
    .sort();
}

type DeflateOptions = Exclude<
  NonNullable<ConstructorParameters<typeof WebSocketServer>[0]>['perMessageDeflate'],
  boolean | undefined
>;

describe('ws client -> our websocket:// server: every offer is accepted and honoured', () => {
  const ANSWER = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
  const offers: [name: string, options: DeflateOptions, answer: string][] = [
    ['12.x default offer', {}, ANSWER],
    ['13.2 server_no_context_takeover', { serverNoContextTakeover: true }, ANSWER],
    [
      '13.3 server_max_window_bits=8',
      { serverMaxWindowBits: 8 },
      `${ANSWER}; server_max_window_bits=8`,
    ],
    [
      '13.4 server_max_window_bits=15',
      { serverMaxWindowBits: 15 },
      `${ANSWER}; server_max_window_bits=15`,
    ],
    [
      '13.5 server_no_context_takeover + server_max_window_bits=8',
      { serverNoContextTakeover: true, serverMaxWindowBits: 8 },
      `${ANSWER}; server_max_window_bits=8`,
    ],
    [
      'server_max_window_bits=11, client_max_window_bits=9, client_no_context_takeover',
      { serverMaxWindowBits: 11, clientMaxWindowBits: 9, clientNoContextTakeover: true },
      `${ANSWER}; server_max_window_bits=11`,
    ],
  ];
  for (const [name, options, answer] of offers) {
    test(name, async (t) => {
      const worker = await listenWorker(t, 'websocket://127.0.0.1:0', (w) => {
        w.onMessage = (connection, data) => {
          connection.send(data);
        };
      });
      const client = new WebSocket(`ws://127.0.0.1:${worker.port}/`, {
        perMessageDeflate: { ...options, threshold: 0 },
      });
      t.after(() => client.terminate());
      let answered: string | undefined;
      client.on('upgrade', (response) => {
        answered = response.headers['sec-websocket-extensions'];
      });
      const received = inbox<Buffer | string>();
      client.on('message', (data, isBinary) =>
        received.push(isBinary ? (data as Buffer) : (data as Buffer).toString()),
      );
      client.on('error', (error) => received.close(error.message));
      client.on('close', (code) => received.close(`close code ${code}`));
      await once(client, 'open');
      assert.equal(answered, answer);
      await roundTrips((data) => client.send(data), received.next, name);
      client.close(1000);
      const [code] = await once(client, 'close');
      assert.equal(code, 1000);
    });
  }
});

describe('our ws:// client -> ws server: every answer RFC 7692 allows is taken', () => {
  const answers: [name: string, options: DeflateOptions, answer: string][] = [
    ['13.1 plain: context takeover both ways', {}, 'permessage-deflate'],
    [
      '13.2 client_no_context_takeover',
      { clientNoContextTakeover: true },
      'permessage-deflate; client_no_context_takeover',
    ],
    [
      '13.3 client_max_window_bits=8',
      { clientMaxWindowBits: 8 },
      'permessage-deflate; client_max_window_bits=8',
    ],
    [
      '13.4 client_max_window_bits=15',
      { clientMaxWindowBits: 15 },
      'permessage-deflate; client_max_window_bits=15',
    ],
    [
      '13.5 client_no_context_takeover + client_max_window_bits=8',
      { clientNoContextTakeover: true, clientMaxWindowBits: 8 },
      'permessage-deflate; client_no_context_takeover; client_max_window_bits=8',
    ],
    [
      '13.6 client_no_context_takeover + client_max_window_bits=15',
      { clientNoContextTakeover: true, clientMaxWindowBits: 15 },
      'permessage-deflate; client_no_context_takeover; client_max_window_bits=15',
    ],
    [
      'server_no_context_takeover',
      { serverNoContextTakeover: true },
      'permessage-deflate; server_no_context_takeover',
    ],
    [
      'server_max_window_bits=8 with context takeover',
      { serverMaxWindowBits: 8 },
      'permessage-deflate; server_max_window_bits=8',
    ],
    [
      'server_max_window_bits=10 + client_max_window_bits=9',
      { serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
      'permessage-deflate; server_max_window_bits=10; client_max_window_bits=9',
    ],
  ];
  for (const [name, options, answer] of answers) {
    test(name, async (t) => {
      const server = new WebSocketServer({
        host: '127.0.0.1',
        port: 0,
        perMessageDeflate: { ...options, threshold: 0 },
      });
      await once(server, 'listening');
      const serverErrors: Error[] = [];
      server.on('connection', (socket) => {
        socket.on('error', (error) => serverErrors.push(error));
        socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
      });
      t.after(() => {
        for (const socket of server.clients) socket.terminate();
        server.close();
      });
      const port = (server.address() as { port: number }).port;
      const client = new AsyncTcpConnection(`ws://127.0.0.1:${port}/`);
      const received = inbox<Buffer | string>();
      const errors: string[] = [];
      client.onError = (_c, _code, message) => errors.push(String(message));
      client.onMessage = (_c, data) => received.push(data);
      client.onClose = () => received.close(errors.join('; '));
      const extensions = await connectWebSocketClient(t, client);
      assert.deepEqual(parameters(extensions), parameters(answer));
      await roundTrips((data) => client.send(data), received.next, name);
      const closed = new Promise<void>((resolve) => {
        client.onClose = () => resolve();
      });
      client.close();
      await closed;
      assert.deepEqual([errors, serverErrors], [[], []]);
    });
  }
});
