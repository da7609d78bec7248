import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpConnection } from '../../../src/connection/tcp-connection.js';
import { ClientEntry } from '../../../src/gateway/gateway/client-table.js';
import { PeerLink } from '../../../src/gateway/gateway/peer-link.js';
import { Command } from '../../../src/gateway/wire/commands.js';

const socket = {
  getRemoteIp: () => '10.0.0.9',
  getRemotePort: () => 40000,
} as unknown as TcpConnection<unknown, unknown>;

function event(number: number, body: string) {
  return {
    entry: new ClientEntry(number, socket),
    cmd: Command.ON_MESSAGE,
    kind: 1,
    body,
    since: 0,
  };
}

test('a worker link keeps the events it was sent until each is reported handled', () => {
  const link = new PeerLink();
  const events = [event(1, 'one'), event(2, 'two'), event(1, 'three')];
  const numbers = events.map((e) => link.sent(e));
  assert.deepEqual(numbers, [1, 2, 3]);
  const contextBytes = events[0]!.entry.context.length;
  assert.equal(link.unhandledBytes, 'onetwothree'.length + 3 * contextBytes);

  link.handled(2);
  link.handled(2); // a second report, or one for a number never sent, changes nothing
  link.handled(99);
  assert.equal(link.unhandledBytes, 'onethree'.length + 2 * contextBytes);

  // The link died: what is left comes back oldest first, and the link keeps nothing.
  assert.deepEqual(link.takeUnhandled(), [events[0], events[2]]);
  assert.equal(link.unhandledBytes, 0);
  assert.deepEqual(link.takeUnhandled(), []);
});

test('an event is weighed when sent, so a session change meanwhile does not skew the count', () => {
  const link = new PeerLink();
  const sent = event(1, 'x');
  const number = link.sent(sent);
  sent.entry.setSession(JSON.stringify({ grown: 'a'.repeat(100) }));
  link.handled(number);
  assert.equal(link.unhandledBytes, 0);
});
