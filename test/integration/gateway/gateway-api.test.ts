// Every Gateway API call in a real cluster: a register, two gateway
// processes, two business workers, clients spread over both gateways.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { ClusterClient, startCluster } from '../../helpers/gateway-cluster.js';
import { freePort } from '../../helpers/start-file.js';

type Context = import('node:test').TestContext;
const gatewayOf = (id: string) => id.slice(0, 12);

/** Connects until `count` clients sit on both gateway processes (an id names its process). */
async function clientsOnBothGateways(t: Context, port: number, count: number) {
  const clients: ClusterClient[] = [];
  while (clients.length < 50) {
    clients.push(await ClusterClient.connect(t, port));
    if (clients.length >= count && new Set(clients.map((c) => gatewayOf(c.id))).size === 2) break;
  }
  assert.equal(
    new Set(clients.map((c) => gatewayOf(c.id))).size,
    2,
    'clients on two gateway processes',
  );
  return clients;
}

const texts = async (client: ClusterClient, n: number) => {
  const got: unknown[] = [];
  for (let i = 0; i < n; i++) got.push((await client.next((l) => 'text' in l)).text);
  return got;
};

test('the Gateway API across two gateway processes and two business workers', async (t) => {
  const app = await startCluster(t);
  const clients = await clientsOnBothGateways(t, app.ports.GATEWAY_PORT, 4);
  const a = clients[0]!;
  const far = clients.find((x) => gatewayOf(x.id) !== gatewayOf(a.id))!;
  const near = clients.find((x) => x !== a && gatewayOf(x.id) === gatewayOf(a.id));
  const others = clients.filter((x) => x !== a);
  // Neither a nor far, whichever order the clients landed in.
  const third = others.find((x) => x !== far)!;
  assert.match(a.id, /^[0-9a-f]{20}$/);

  await t.test('counts, lists and presence', async () => {
    assert.equal(await a.call('getAllClientCount'), clients.length);
    assert.equal(await a.call('getAllClientIdCount'), clients.length);
    assert.deepEqual(
      ((await a.call('getAllClientIdList')) as string[]).sort(),
      clients.map((x) => x.id).sort(),
    );
    assert.equal(await a.call('isOnline', far.id), true);
    assert.equal(await a.call('isOnline', `${gatewayOf(a.id)}ffffffff`), false);
  });

  await t.test('sendToClient, sendToAll with a target list and with exclusions', async () => {
    await a.call('sendToClient', far.id, 'direct');
    assert.deepEqual(await texts(far, 1), ['direct']);

    await a.call('sendToAll', 'everyone');
    for (const client of clients) assert.deepEqual(await texts(client, 1), ['everyone']);

    await a.call('sendToAll', 'but-a', null, a.id);
    for (const client of others) assert.deepEqual(await texts(client, 1), ['but-a']);

    await a.call('sendToAll', 'listed', [a.id, far.id], [far.id]);
    assert.deepEqual(await texts(a, 1), ['listed']);
    // far was excluded: the next text it gets is the marker, not 'listed'.
    await a.call('sendToClient', far.id, 'marker');
    assert.deepEqual(await texts(far, 1), ['marker']);
    assert.deepEqual(await texts(a, 0), []);
  });

  await t.test('uids: bind, look up, send, unbind', async () => {
    await a.call('bindUid', a.id, 'alice');
    await a.call('bindUid', far.id, 'alice');
    await a.call('bindUid', third.id, 42);
    assert.equal(await a.call('isUidOnline', 'alice'), true);
    assert.equal(await a.call('isUidOnline', 'nobody'), false);
    assert.deepEqual(
      ((await a.call('getClientIdByUid', 'alice')) as string[]).sort(),
      [a.id, far.id].sort(),
    );
    assert.equal(await a.call('getUidByClientId', far.id), 'alice');
    assert.equal(await a.call('getUidByClientId', third.id), '42');
    assert.deepEqual(((await a.call('getAllUidList')) as string[]).sort(), ['42', 'alice']);
    assert.equal(await a.call('getAllUidCount'), 2);

    await a.call('sendToUid', 'alice', 'for-alice');
    assert.deepEqual(await texts(a, 1), ['for-alice']);
    assert.deepEqual(await texts(far, 1), ['for-alice']);
    await a.call('sendToUid', ['alice', 42], 'for-both');
    for (const client of [a, far, third]) assert.deepEqual(await texts(client, 1), ['for-both']);

    // Binding another uid replaces the first.
    await a.call('bindUid', far.id, 'bob');
    assert.deepEqual(await a.call('getClientIdByUid', 'alice'), [a.id]);
    await a.call('unbindUid', far.id, 'bob');
    assert.equal(await a.call('getUidByClientId', far.id), null);
    assert.equal(await a.call('isUidOnline', 'bob'), false);
  });

  await t.test('groups: join, query, send with exclusion, leave, ungroup', async () => {
    await a.call('joinGroup', a.id, 'room');
    await a.call('joinGroup', far.id, 'room');
    if (near) await a.call('joinGroup', near.id, 'room');
    await a.call('joinGroup', far.id, 'other');
    const members = [a, far, ...(near ? [near] : [])];
    assert.equal(await a.call('getClientCountByGroup', 'room'), members.length);
    assert.deepEqual(
      ((await a.call('getClientIdListByGroup', 'room')) as string[]).sort(),
      members.map((x) => x.id).sort(),
    );
    assert.deepEqual(((await a.call('getAllGroupIdList')) as string[]).sort(), ['other', 'room']);
    // Bound uids now: a is 'alice', third is '42' (far was unbound).
    const roomUids = members.includes(third) ? ['42', 'alice'] : ['alice'];
    assert.deepEqual(((await a.call('getUidListByGroup', 'room')) as string[]).sort(), roomUids);
    assert.equal(await a.call('getUidCountByGroup', 'room'), roomUids.length);
    const groupUids = (await a.call('getAllGroupUidList')) as Record<string, string[]>;
    assert.deepEqual(groupUids.room?.sort(), roomUids);
    assert.deepEqual(groupUids.other, []);

    await a.call('sendToGroup', 'room', 'to-room', a.id);
    for (const client of members.filter((x) => x !== a))
      assert.deepEqual(await texts(client, 1), ['to-room']);
    await a.call('sendToGroup', ['room', 'other'], 'to-both-once');
    for (const client of members) assert.deepEqual(await texts(client, 1), ['to-both-once']);
    await a.call('sendToClient', far.id, 'marker');
    assert.deepEqual(await texts(far, 1), ['marker']); // far got 'to-both-once' once only

    await a.call('leaveGroup', far.id, 'room');
    assert.equal(await a.call('getClientCountByGroup', 'room'), members.length - 1);
    await a.call('ungroup', 'room');
    assert.equal(await a.call('getClientCountByGroup', 'room'), 0);
    assert.deepEqual(await a.call('getAllGroupIdList'), ['other']);
    assert.equal(await a.call('isOnline', far.id), true, 'ungroup keeps members connected');
  });

  await t.test('sessions: the handler context, set, update, read from any process', async () => {
    await a.call('putInSession', { name: 'Ann', prefs: { color: 'red', size: 1 } }); // client.session
    assert.deepEqual(await a.call('readSession'), {
      name: 'Ann',
      prefs: { color: 'red', size: 1 },
    });
    // Read by another client's handler (possibly the other business worker).
    assert.deepEqual(await far.call('getSession', a.id), {
      name: 'Ann',
      prefs: { color: 'red', size: 1 },
    });
    await far.call('updateSession', a.id, { prefs: { size: 2 }, room: 'lobby' });
    assert.deepEqual(await a.call('readSession'), {
      name: 'Ann',
      prefs: { color: 'red', size: 2 },
      room: 'lobby',
    });
    await far.call('setSession', a.id, { replaced: true });
    assert.deepEqual(await a.call('getSession', a.id), { replaced: true });
    const sessions = (await a.call('getAllClientSessions')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(sessions).sort(), clients.map((x) => x.id).sort());
    assert.deepEqual(sessions[a.id], { replaced: true });
    assert.equal(sessions[far.id], null);
    await a.call('joinGroup', a.id, 'g');
    assert.deepEqual(await a.call('getClientSessionsByGroup', 'g'), { [a.id]: { replaced: true } });
    assert.equal(await a.call('getSession', `${gatewayOf(a.id)}ffffffff`), null);
  });

  await t.test('a client id the cluster never issued is refused with a clear error', async () => {
    a.send(JSON.stringify({ tag: 9999, op: 'sendToClient', args: ['../../etc', 'x'] }));
    // The handler's rejection is logged by the business worker; the client stays.
    await app.waitForLine(/WM_ERR_INVALID_CLIENT_ID|not a client id of this cluster/);
    assert.equal(await a.call('isOnline', a.id), true);
  });

  await t.test(
    'closeClient with a last message, destroyClient, and onClose in a business worker',
    async () => {
      const watcher = a;
      await a.call('joinGroup', watcher.id, 'watchers');
      const leaving = others.at(-1)!;
      await a.call('putInSession', {}); // an unchanged session sends nothing back
      await a.call('closeClient', leaving.id, 'bye');
      assert.deepEqual(await texts(leaving, 1), ['bye']);
      await leaving.whenClosed();
      const left = await watcher.next((l) => l.event === 'left' && l.id === leaving.id);
      assert.equal(left.id, leaving.id);
      await a.call('destroyClient', far.id);
      await far.whenClosed();
      assert.equal(await a.call('isOnline', far.id), false);
    },
  );
});

test('a WebSocket gateway: the handshake reaches onWebSocketConnect, messages both ways', async (t) => {
  const wsPort = await freePort();
  const app = await startCluster(t, {
    WS_PORT: String(wsPort),
    GATEWAY_COUNT: '1',
    BUSINESS_COUNT: '1',
  });
  const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/chat?room=7`);
  t.after(() => ws.terminate());
  const received: string[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (data) => {
    received.push(String(data));
    wake?.();
  });
  const nextJson = async () => {
    while (received.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return JSON.parse(received.shift()!) as Record<string, unknown>;
  };
  await once(ws, 'open');
  const welcome = await nextJson();
  assert.equal(welcome.event, 'welcome');
  assert.deepEqual(await nextJson(), { event: 'handshake', path: '/chat', query: { room: '7' } });
  ws.send(JSON.stringify({ tag: 1, op: 'getAllClientCount' }));
  assert.deepEqual(await nextJson(), { tag: 1, result: 1 });
  // A text client on the other gateway reaches the WebSocket client by id.
  const text = await ClusterClient.connect(t, app.ports.GATEWAY_PORT);
  await text.call('sendToClient', welcome.id, JSON.stringify({ from: 'text' }));
  assert.deepEqual(await nextJson(), { from: 'text' });
});
