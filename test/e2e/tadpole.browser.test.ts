// The tadpole pond in a real browser: two players (two browser contexts,
// each its own profile) open the page; one names its tadpole, swims with
// the arrow keys and says something, and the other sees it all. Screenshots
// of both windows go to test-artifacts/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { freePort, runStartFile } from '../helpers/start-file.js';

const START = fileURLToPath(new URL('../../examples/tadpole/start.ts', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

interface Seen {
  id: string;
  x: number;
  y: number;
  name: string;
  bubble: string | null;
}
interface Snapshot {
  connected: boolean;
  id: string | null;
  me: { x: number; y: number; name: string };
  tadpoles: Seen[];
}
declare const pond: { snapshot(): Snapshot };

/** Uncaught errors of the pond's script in any page; the test expects none. */
const pageErrors: string[] = [];

async function openPond(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => pond.snapshot().connected && pond.snapshot().id !== null, null, {
    timeout: 60_000,
  });
  return page;
}

const snapshot = (page: Page) => page.evaluate(() => pond.snapshot());

/** What `page` must have heard about a tadpole before `seenBy` returns. */
interface Wanted {
  name?: string;
  bubble?: string;
  /** At least `distance` from (x, y). */
  awayFrom?: { x: number; y: number; distance: number };
}

/** What `page` last heard about tadpole `id`, once it matches `wanted`. */
async function seenBy(page: Page, id: string, wanted: Wanted = {}): Promise<Seen> {
  const handle = await page.waitForFunction(
    ({ id, wanted }) => {
      const t = pond.snapshot().tadpoles.find((t) => t.id === id);
      if (!t) return null;
      if (wanted.name !== undefined && t.name !== wanted.name) return null;
      if (wanted.bubble !== undefined && t.bubble !== wanted.bubble) return null;
      const away = wanted.awayFrom;
      if (away && Math.hypot(t.x - away.x, t.y - away.y) < away.distance) return null;
      return t;
    },
    { id, wanted },
    { timeout: 60_000 },
  );
  return (await handle.jsonValue()) as Seen;
}

test('two players see each other swim in the pond', async (t) => {
  const ports = {
    REGISTER_PORT: await freePort(),
    GATEWAY_PORT: await freePort(),
    WEB_PORT: await freePort(),
  };
  const app = runStartFile(t, START, {
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    HOST: '127.0.0.1',
    START_PORT: '0',
  });
  await app.waitForLine(/Start success/);
  const url = `http://127.0.0.1:${ports.WEB_PORT}/`;

  const browser = await launchBrowser(t);
  const alice = await openPond(browser, url);
  const bob = await openPond(browser, url);
  const aliceId = (await snapshot(alice)).id!;
  const bobId = (await snapshot(bob)).id!;
  assert.notEqual(aliceId, bobId);

  // Alice names her tadpole; Bob sees the name (drawn on the canvas, kept as text).
  await alice.locator('#name').fill('alice <b>');
  await alice.locator('#name').press('Enter');
  const before = await seenBy(bob, aliceId, { name: 'alice <b>' });
  await seenBy(alice, bobId);

  // Alice swims: forward and a little to the left, with the arrow keys.
  await alice.keyboard.down('ArrowUp');
  await alice.keyboard.down('ArrowLeft');
  const after = await seenBy(bob, aliceId, {
    awayFrom: { x: before.x, y: before.y, distance: 60 },
  });
  await alice.keyboard.up('ArrowLeft');
  await alice.keyboard.up('ArrowUp');
  const own = (await snapshot(alice)).me;
  assert.ok(Math.hypot(own.x - before.x, own.y - before.y) > 60, 'she moved on her own screen');
  assert.ok(Math.hypot(after.x - before.x, after.y - before.y) > 60, 'Bob saw her move');

  // A chat bubble over her tadpole on Bob's screen.
  await alice.keyboard.press('Enter');
  await alice.keyboard.type('hello pond');
  await alice.keyboard.press('Enter');
  const said = await seenBy(bob, aliceId, { bubble: 'hello pond' });
  assert.equal(said.name, 'alice <b>');
  // The name never became markup in the page.
  assert.equal(await bob.locator('b').count(), 0);

  mkdirSync(ARTIFACTS, { recursive: true });
  await alice.screenshot({ path: `${ARTIFACTS}tadpole-alice.png` });
  await bob.screenshot({ path: `${ARTIFACTS}tadpole-bob.png` });

  // Alice leaves; her tadpole goes from Bob's pond.
  await alice.context().close();
  await bob.waitForFunction((id) => !pond.snapshot().tadpoles.some((t) => t.id === id), aliceId, {
    timeout: 60_000,
  });
  assert.deepEqual(pageErrors, []);
});
