import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpConnection } from '../../../src/connection/tcp-connection.js';
import { ClientTable } from '../../../src/gateway/gateway/client-table.js';

const connection = {
  getRemoteIp: () => '10.0.0.9',
  getRemotePort: () => 40000,
} as unknown as TcpConnection<unknown, unknown>;

test('a client holds a group set only while it is in a group; the indexes follow', () => {
  const table = new ClientTable();
  const a = table.add(connection);
  const b = table.add(connection);
  assert.equal(a.groups, null);

  table.joinGroup(a, 'room');
  table.joinGroup(a, 'lobby');
  table.joinGroup(b, 'room');
  assert.deepEqual([...(a.groups ?? [])], ['room', 'lobby']);
  assert.deepEqual([...(table.byGroup.get('room') ?? [])], [a, b]);

  table.leaveGroup(a, 'lobby');
  table.leaveGroup(a, 'nowhere'); // not a member: nothing changes
  assert.deepEqual([...(a.groups ?? [])], ['room']);
  assert.equal(table.byGroup.has('lobby'), false);
  table.leaveGroup(a, 'room');
  assert.equal(a.groups, null);
  assert.deepEqual([...(table.byGroup.get('room') ?? [])], [b]);

  // Dissolving a group empties its members' sets; removing a client leaves its groups.
  table.joinGroup(a, 'room');
  table.ungroup('room');
  assert.equal(a.groups, null);
  assert.equal(b.groups, null);
  assert.equal(table.byGroup.size, 0);
  table.joinGroup(b, 'lobby');
  table.remove(b);
  assert.equal(b.groups, null);
  assert.equal(table.byGroup.size, 0);
  assert.equal(table.size, 1);
});
