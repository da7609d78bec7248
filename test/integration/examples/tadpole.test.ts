// The tadpole pond (examples/tadpole) started as a user starts it, driven by
// WebSocket clients: what one tadpole sends reaches the others with its id,
// bad updates never do, the per-client rate and the bubble length hold, and
// the swarm script fills the pond and stops by itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort, runStartFile } from '../../helpers/start-file.js';

const START = fileURLToPath(new URL('../../../examples/tadpole/start.ts', import.meta.url));
const SWARM = fileURLToPath(new URL('../../../examples/tadpole/swarm.ts', import.meta.url));
const UPDATES_PER_SECOND = 10;
const MAX_MESSAGE_BYTES = 4096;

type PondEvent = Record<string, unknown> & { type: string };

/** A tadpole over `ws`: every message kept, awaited by predicate. */
class Tadpole {
  readonly socket: WebSocket;
  readonly events: PondEvent[] = [];
  id = '';
  #wake: (() => void) | null = null;
  closeCode: number | null = null;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      this.events.push(JSON.parse(data.toString()) as PondEvent);
      this.#wake?.();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      this.#wake?.();
    });
  }

  static async join(t: TestContext, port: number): Promise<Tadpole> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    t.after(() => socket.terminate());
    const tadpole = new Tadpole(socket);
    await once(socket, 'open');
    tadpole.id = String((await tadpole.next((e) => e.type === 'welcome')).id);
    return tadpole;
  }

  /** The first event (from `from` on) that matches; fails past `limitMs` or when the socket closes. */
  async next(match: (event: PondEvent) => boolean, from = 0, limitMs = 30_000): Promise<PondEvent> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const found = this.events.slice(from).find(match);
      if (found) return found;
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a pond event');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

const update = (fields: Record<string, unknown> = {}) => ({
  type: 'update',
  x: 1,
  y: 2,
  angle: 0.5,
  momentum: 1,
  name: 'ann',
  ...fields,
});

/**
 * Two tadpoles whose messages are known to reach each other: at start-up the
 * business workers link to the gateways one by one, so `a` repeats a first
 * update (bounded by count) until `b` has seen it.
 */
async function pair(t: TestContext, port: number): Promise<[Tadpole, Tadpole]> {
  const a = await Tadpole.join(t, port);
  const b = await Tadpole.join(t, port);
  for (let tries = 0; ; tries++) {
    a.send(update({ x: -1, name: 'warm-up' }));
    try {
      await b.next((e) => e.type === 'update' && e.id === a.id, 0, 250);
      return [a, b];
    } catch (error) {
      if (tries === 200) throw error;
    }
  }
}

test('examples/tadpole: the pond through two gateways and two business workers', async (t) => {
  const ports = {
    REGISTER_PORT: await freePort(),
    GATEWAY_PORT: await freePort(),
    WEB_PORT: await freePort(),
  };
  const app = runStartFile(t, START, {
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    HOST: '127.0.0.1',
    START_PORT: '0',
    UPDATES_PER_SECOND: String(UPDATES_PER_SECOND),
  });
  await app.waitForLine(/Start success/);
  const port = ports.GATEWAY_PORT;

  await t.test('serves the page and tells it where the gateway is', async () => {
    const page = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<canvas id="pond"[\s\S]*tadpole\.js/);
    const config = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/config.json`);
    assert.deepEqual(await config.json(), { gatewayPort: port });
    const script = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/tadpole.js`);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
  });

  await t.test(
    'an update reaches the others with the sender id, checked and clamped',
    async (t) => {
      const [a, b] = await pair(t, port);
      const seen = b.events.length;
      a.send(update({ x: 1e9, y: -1e9, angle: 4, momentum: 100, name: '  ann  ' }));
      const got = await b.next((e) => e.type === 'update' && e.id === a.id, seen);
      assert.deepEqual(got, {
        type: 'update',
        id: a.id,
        x: 10_000,
        y: -10_000,
        angle: Math.round((4 - 2 * Math.PI) * 100) / 100,
        momentum: 5,
        name: 'ann',
      });
      // The sender is not sent its own update.
      assert.equal(
        a.events.some((e) => e.type === 'update' && e.id === a.id),
        false,
      );
    },
  );

  await t.test(
    'invalid updates are dropped; a 24-character name is the longest kept',
    async (t) => {
      const [a, b] = await pair(t, port);
      const seen = b.events.length;
      for (const bad of [
        '{"type":"update","x":NaN,"y":0,"angle":0,"momentum":0,"name":"nan"}', // not JSON
        '{"type":"update","x":1e999,"y":0,"angle":0,"momentum":0,"name":"inf"}', // Infinity
        update({ x: '5' }),
        update({ angle: null }),
        update({ momentum: undefined }),
        update({ name: '' }),
        update({ name: '   ' }),
        update({ name: 'x'.repeat(25) }),
        update({ name: 'x'.repeat(2000) }), // (past MAX_MESSAGE_BYTES it would close the sender)
        update({ name: 42 }),
        'not json at all',
        '[1,2,3]',
        { type: 'teleport', x: 0 },
      ]) {
        a.send(bad);
      }
      const edge = '🐸'.repeat(24); // 24 characters, 48 UTF-16 units
      a.send(update({ x: 42, name: edge }));
      const got = await b.next((e) => e.type === 'update' && e.id === a.id, seen);
      assert.equal(a.closeCode, null);
      assert.equal(
        got.x,
        42,
        `the first update to arrive is the valid one: ${JSON.stringify(got)}`,
      );
      assert.equal(got.name, edge);
    },
  );

  await t.test(
    `a burst of 200 updates is cut to about ${UPDATES_PER_SECOND} a second`,
    async (t) => {
      const [a, b] = await pair(t, port);
      const seen = b.events.length;
      const startedAt = Date.now();
      for (let i = 1; i <= 200; i++) a.send(update({ x: i }));
      // Chat bubbles have their own budget; this one marks the end of the burst
      // (one client's events are handled in order by one business worker).
      a.send({ type: 'message', message: 'end of burst' });
      await b.next((e) => e.type === 'message' && e.id === a.id, seen);
      const elapsedSeconds = (Date.now() - startedAt) / 1000;
      const passed = b.events
        .slice(seen)
        .filter((e) => e.type === 'update' && e.id === a.id && Number(e.x) >= 1);
      // The bucket holds at most one second's worth and refills at the rate
      // while the burst is handled: never more than that arrives.
      const bound = UPDATES_PER_SECOND + Math.ceil(UPDATES_PER_SECOND * elapsedSeconds);
      assert.ok(passed.length >= 1, 'some of the burst passes');
      assert.ok(passed.length <= bound, `${passed.length} passed, at most ${bound} allowed`);
      // Those that pass are the burst's first ones, in order.
      const xs = passed.map((e) => Number(e.x));
      assert.deepEqual(
        xs,
        [...xs].sort((p, q) => p - q),
      );
      assert.equal(xs[0], 1);
    },
  );

  await t.test('a chat bubble is cut to 140 characters; 140 pass unchanged', async (t) => {
    const [a, b] = await pair(t, port);
    let seen = b.events.length;
    a.send({ type: 'message', message: `${'a'.repeat(140)}${'b'.repeat(360)}` });
    const long = await b.next((e) => e.type === 'message' && e.id === a.id, seen);
    assert.equal(long.message, 'a'.repeat(140));
    seen = b.events.length;
    const edge = `${'é'.repeat(139)}!`;
    a.send({ type: 'message', message: edge });
    assert.equal((await b.next((e) => e.type === 'message' && e.id === a.id, seen)).message, edge);
  });

  await t.test(`a message over ${MAX_MESSAGE_BYTES} bytes closes only its sender`, async (t) => {
    const [a, b] = await pair(t, port);
    const seen = b.events.length;
    const exact = JSON.stringify(update({ x: 7 }));
    a.send(exact + ' '.repeat(MAX_MESSAGE_BYTES - Buffer.byteLength(exact))); // at the bound: kept
    assert.equal((await b.next((e) => e.type === 'update' && e.id === a.id, seen)).x, 7);
    a.send(exact + ' '.repeat(MAX_MESSAGE_BYTES + 1 - Buffer.byteLength(exact)));
    const [code] = (await once(a.socket, 'close')) as [number];
    assert.equal(code, 1009);
    assert.equal(b.closeCode, null);
    assert.equal((await b.next((e) => e.type === 'closed' && e.id === a.id, seen)).id, a.id);
  });

  await t.test('the others are told when a tadpole leaves, with its last name', async (t) => {
    const [a, b] = await pair(t, port);
    const seen = b.events.length;
    a.socket.close();
    const closed = await b.next((e) => e.type === 'closed', seen);
    assert.deepEqual(closed, { type: 'closed', id: a.id, name: 'warm-up' });
  });

  await t.test('the swarm script fills the pond and stops by itself', async (t) => {
    const watcher = await Tadpole.join(t, port);
    const swarm = spawn(
      process.execPath,
      ['--import', 'tsx', SWARM, '20', `ws://127.0.0.1:${port}`, '3'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    t.after(() => swarm.kill('SIGKILL'));
    let output = '';
    swarm.stdout.on('data', (chunk: Buffer) => (output += chunk));
    swarm.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const [code] = (await once(swarm, 'exit')) as [number];
    assert.equal(code, 0, output);
    const totals = /(\d+) of 20 connected, sent (\d+) updates, received (\d+) updates/.exec(output);
    assert.ok(totals, output);
    const [, connected, sent, received] = totals.map(Number) as number[];
    assert.equal(connected, 20);
    assert.ok(sent! > 0 && received! > 0, output);
    // A player in the pond saw the swarm's tadpoles swim, and leave.
    await watcher.next((e) => e.type === 'update' && String(e.name).startsWith('swarm '));
    await watcher.next((e) => e.type === 'closed' && String(e.name).startsWith('swarm '));
  });
});
