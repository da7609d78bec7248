import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpConnection } from '../../../src/connection/tcp-connection.js';
import { ClientEntry } from '../../../src/gateway/gateway/client-table.js';
import {
  holdForLink,
  rerouteBacklog,
  sendBacklog,
} from '../../../src/gateway/gateway/link-backlog.js';
import { PeerLink } from '../../../src/gateway/gateway/peer-link.js';
import type { ClientEvent } from '../../../src/gateway/gateway/waiting-events.js';
import { Command, type CommandCode } from '../../../src/gateway/wire/commands.js';

/** A client whose connection only records whether it is read. */
function client(number: number): ClientEntry & { paused: () => boolean } {
  let paused = false;
  const connection = {
    pauseRecv: () => {
      paused = true;
    },
    resumeRecv: () => {
      paused = false;
    },
  } as unknown as TcpConnection<unknown, unknown>;
  return Object.assign(new ClientEntry(number, connection), { paused: () => paused });
}

const event = (
  entry: ClientEntry,
  cmd: CommandCode = Command.ON_MESSAGE,
  body = '',
): ClientEvent => ({
  entry,
  cmd,
  kind: 1,
  body,
});

test('a full link holds events up to the limit and pauses their clients; a close is never refused', () => {
  const link = new PeerLink();
  const a = client(1);
  assert.equal(holdForLink(link, event(a), 2), true);
  assert.equal(holdForLink(link, event(a), 2), true);
  assert.equal(a.paused(), true);
  assert.equal(a.heldBy, link);
  assert.equal(holdForLink(link, event(client(2)), 2), false, 'past the limit: refused');
  assert.equal(holdForLink(link, event(a, Command.ON_CLOSE), 2), true, 'a close is kept');
  assert.equal(link.backlog.length, 3);
});

test('on drain the backlog goes in order until the link fills again, then the clients are read again', () => {
  const link = new PeerLink();
  const a = client(1);
  const b = client(2);
  for (const [entry, body] of [
    [a, 'a1'],
    [b, 'b1'],
    [a, 'a2'],
  ] as const)
    holdForLink(link, event(entry, Command.ON_MESSAGE, body), 10);
  const sent: ClientEvent['body'][] = [];
  // The first send fills the link again: the rest waits.
  assert.equal(
    sendBacklog(link, (e) => {
      sent.push(String(e.body));
      link.full = true;
    }),
    false,
  );
  assert.deepEqual(sent, ['a1']);
  assert.deepEqual(
    link.backlog.map((e) => e.body),
    ['b1', 'a2'],
  );
  assert.equal(a.paused() && b.paused(), true, 'still held');
  assert.equal(
    sendBacklog(link, (e) => sent.push(String(e.body))),
    true,
  );
  assert.deepEqual(sent, ['a1', 'b1', 'a2']);
  assert.equal(a.paused() || b.paused(), false);
  assert.equal(a.heldBy, null);
});

test('a link that leaves hands its backlog on in order; a client held again elsewhere stays paused', () => {
  const link = new PeerLink();
  const other = new PeerLink();
  const a = client(1);
  const b = client(2);
  holdForLink(link, event(a, Command.ON_MESSAGE, 'a1'), 10);
  holdForLink(link, event(b, Command.ON_MESSAGE, 'b1'), 10);
  const forwarded: unknown[] = [];
  rerouteBacklog(link, (e) => {
    forwarded.push(e.body);
    if (e.entry === b) holdForLink(other, e, 10);
  });
  assert.deepEqual(forwarded, ['a1', 'b1']);
  assert.equal(link.backlog.length, 0);
  assert.equal(a.paused(), false);
  assert.equal(b.paused(), true, 'b waits for the other link');
  assert.equal(b.heldBy, other);
});
