// examples/chat started as `npm run example` starts it, and talked to over
// WebSocket with the `ws` client, message by message as the page does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CONTENT_LENGTH, MAX_MESSAGE_BYTES } from '../../../examples/chat/messages.js';
import { type ChatMessage, ChatUser, startChat } from '../../helpers/chat-app.js';

const isSay = (content: string) => (m: ChatMessage) => m.type === 'say' && m.content === content;

test('examples/chat: the manual chat over the gateway cluster', async (t) => {
  // Heartbeats every second: a client that does not answer is closed after two.
  const app = await startChat(t, undefined, { PING_INTERVAL: '1' });
  const page = await fetch(app.webUrl);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module" src="chat.js">/);
  const config = (await (await fetch(`${app.webUrl}/config.json`)).json()) as {
    gatewayPort: number;
  };
  assert.equal(config.gatewayPort, Number(app.ports.GATEWAY_PORT));

  const connect = () => ChatUser.connect(t, app.gatewayUrl);

  await t.test(
    'login lists the room and tells the others; say to all reaches the room only',
    async () => {
      const alice = await connect();
      const bob = await connect();
      const elsewhere = await connect();
      const first = await alice.login('  alice  ', 'r1');
      assert.deepEqual(first.user_list, [{ uid: alice.uid, name: 'alice' }]);
      assert.equal(first.room, 'r1');
      await elsewhere.login('eve', 'r2');

      const aliceSeen = alice.received.length;
      const list = await bob.login('bob', 'r1');
      assert.deepEqual(
        (list.user_list as { uid: string; name: string }[]).sort((a, b) =>
          a.name.localeCompare(b.name),
        ),
        [
          { uid: alice.uid, name: 'alice' },
          { uid: bob.uid, name: 'bob' },
        ],
      );
      const joined = await alice.next((m) => m.type === 'login', aliceSeen);
      assert.equal(joined.uid, bob.uid);
      assert.equal(joined.name, 'bob');
      assert.equal(joined.room, 'r1');
      assert.ok(!Number.isNaN(Date.parse(String(joined.time))));

      alice.send({ type: 'say', to_uid: 'all', content: 'hello room' });
      const heard = await bob.next(isSay('hello room'));
      assert.equal(heard.from_uid, alice.uid);
      assert.equal(heard.from_name, 'alice');
      assert.equal(heard.to_uid, 'all');
      assert.ok(!Number.isNaN(Date.parse(String(heard.time))));
      await alice.next(isSay('hello room'));

      // alice moves to r2: eve hears of it through the same business worker
      // and gateway link that carried "hello room", so anything of r1 would
      // have reached eve before this notice.
      await alice.login('alice', 'r2');
      await elsewhere.next((m) => m.type === 'login' && m.uid === alice.uid);
      assert.deepEqual(
        elsewhere.received.filter((m) => m.type === 'say'),
        [],
      );
      const left = await bob.next((m) => m.type === 'logout' && m.uid === alice.uid);
      assert.equal(left.name, 'alice');
      assert.equal(left.room, 'r1');
    },
  );

  await t.test('a private message reaches its addressee and its sender, nobody else', async () => {
    const alice = await connect();
    const bob = await connect();
    const carol = await connect();
    await alice.login('alice', 'private');
    await bob.login('bob', 'private');
    await carol.login('carol', 'private');

    alice.send({ type: 'say', to_uid: bob.uid, content: 'psst, bob' });
    const whisper = await bob.next(isSay('psst, bob'));
    assert.equal(whisper.from_uid, alice.uid);
    assert.equal(whisper.to_uid, bob.uid);
    assert.equal(whisper.to_name, 'bob');
    await alice.next(isSay('psst, bob'));
    // Sent after the whisper, by the same worker: once carol has it, the
    // whisper would have come before.
    alice.send({ type: 'say', to_uid: 'all', content: 'after the whisper' });
    await carol.next(isSay('after the whisper'));
    assert.deepEqual(
      carol.received.filter((m) => m.type === 'say').map((m) => m.content),
      ['after the whisper'],
    );

    // Not to someone of another room, nor to an id that is none.
    const outsider = await connect();
    await outsider.login('olga', 'elsewhere');
    const refused = await alice.ask(
      { type: 'say', to_uid: outsider.uid, content: 'hi olga' },
      'error',
    );
    assert.equal(refused.about, 'to_uid');
    assert.match(String(refused.message), /not in this room/);
    assert.equal(
      (await alice.ask({ type: 'say', to_uid: '<nobody>', content: 'x' }, 'error')).about,
      'to_uid',
    );
    assert.deepEqual(
      outsider.received.filter((m) => m.type === 'say'),
      [],
    );
  });

  await t.test('names and rooms: trimmed, 1 to 32 characters, no control characters', async () => {
    const user = await connect();
    const refusal = async (name: unknown, room: unknown) =>
      user.ask({ type: 'login', name, room }, 'error');
    assert.equal((await refusal('   ', 'r')).about, 'name');
    assert.match(
      String((await refusal('n'.repeat(33), 'r')).message),
      /name must be 1 to 32 characters, got 33/,
    );
    assert.equal((await refusal('x', 'r'.repeat(33))).about, 'room');
    assert.equal((await refusal('x', '')).about, 'room');
    assert.equal((await refusal(42, 'r')).about, 'name');
    assert.match(String((await refusal('a\u0000b', 'r')).message), /control characters/);
    assert.equal((await refusal('a\u202eb', 'r')).about, 'name');
    // At the edge: 32 characters (an emoji counts as one).
    const edge = `${'n'.repeat(31)}😀`;
    const list = await user.login(edge, 'r'.repeat(32));
    assert.deepEqual(list.user_list, [{ uid: user.uid, name: edge }]);
  });

  await t.test('content: up to 2,000 characters; more is refused with the reason', async () => {
    const alice = await connect();
    const bob = await connect();
    assert.equal(
      (await alice.ask({ type: 'say', to_uid: 'all', content: 'hi' }, 'error')).about,
      'login',
    );
    await alice.login('alice', 'sizes');
    await bob.login('bob', 'sizes');
    const longest = 'é'.repeat(MAX_CONTENT_LENGTH);
    alice.send({ type: 'say', to_uid: 'all', content: longest });
    await bob.next(isSay(longest));
    const tooLong = await alice.ask(
      { type: 'say', to_uid: 'all', content: `${longest}!` },
      'error',
    );
    assert.equal(tooLong.about, 'content');
    assert.equal(
      tooLong.message,
      `the message is too long: ${MAX_CONTENT_LENGTH + 1} characters, at most ${MAX_CONTENT_LENGTH}`,
    );
    assert.equal((await alice.ask({ type: 'say', content: '  ' }, 'error')).about, 'content');
    assert.equal((await alice.ask('not json', 'error')).about, 'message');
    assert.equal((await alice.ask({ type: 'dance' }, 'error')).about, 'type');
    // Still logged in and heard after all of that.
    alice.send({ type: 'say', to_uid: 'all', content: 'still here' });
    await bob.next(isSay('still here'));
    assert.equal(bob.received.filter((m) => m.type === 'say').length, 2);

    // A frame past the gateway's bound closes that socket (1009), no other.
    alice.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    await assert.rejects(
      alice.next(() => false),
      /closed \(1009\)/,
    );
    const gone = await bob.next((m) => m.type === 'logout');
    assert.equal(gone.uid, alice.uid);
    bob.send({ type: 'say', to_uid: 'all', content: 'bob goes on' });
    await bob.next(isSay('bob goes on'));
  });

  await t.test(
    'heartbeat: pings every interval; who answers stays, who is silent is closed',
    async () => {
      const answering = await connect();
      const silent = await ChatUser.connect(t, app.gatewayUrl, false);
      await answering.login('awake', 'heartbeat');
      await silent.login('asleep', 'heartbeat');
      // Nothing from the silent one after its login: two checks later it is cut.
      await assert.rejects(
        silent.next(() => false, 0, 60_000),
        /closed \(/,
      );
      assert.ok(silent.received.some((m) => m.type === 'ping'));
      const gone = await answering.next((m) => m.type === 'logout' && m.uid === silent.uid);
      assert.equal(gone.name, 'asleep');
      const pings = answering.received.filter((m) => m.type === 'ping').length;
      assert.ok(pings >= 2, `the answering client saw ${pings} pings`);
      answering.send({ type: 'say', to_uid: 'all', content: 'still awake' });
      await answering.next(isSay('still awake'));
    },
  );

  await t.test('logout and close: the room is told, the user leaves the list', async () => {
    const alice = await connect();
    const bob = await connect();
    await alice.login('alice', 'leaving');
    await bob.login('bob', 'leaving');
    const seen = alice.received.length;
    bob.send({ type: 'logout' });
    const left = await alice.next((m) => m.type === 'logout', seen);
    assert.deepEqual([left.uid, left.name, left.room], [bob.uid, 'bob', 'leaving']);
    const loggedOut = await bob.ask({ type: 'say', to_uid: 'all', content: 'hello?' }, 'error');
    assert.equal(loggedOut.about, 'login');

    const carol = await connect();
    const list = await carol.login('carol', 'leaving');
    assert.deepEqual((list.user_list as { name: string }[]).map((u) => u.name).sort(), [
      'alice',
      'carol',
    ]);
    const before = alice.received.length;
    carol.socket.close();
    const closed = await alice.next((m) => m.type === 'logout', before);
    assert.equal(closed.uid, carol.uid);
  });
});
