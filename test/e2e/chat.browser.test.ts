// examples/chat in a real browser (Debian's chromium through playwright-core):
// three people in isolated browser contexts chat through the page served by
// the example's own web worker. Screenshots go to test-artifacts/chat/;
// UPDATE_DOCS_SCREENSHOT=1 also writes the README's docs/chat.png.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { copyFileSync, mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { chatPorts, startChat } from '../helpers/chat-app.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/chat/', import.meta.url));
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/chat.png', import.meta.url));
const XSS_NAME = '<script>window.__xss=1</script>';
const XSS_MESSAGE = '<img src=x onerror="window.__xss=2">';
/** Waits in the page: restarts under a loaded machine take a while. */
const PATIENCE_MS = 90_000;

async function openChat(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 980, height: 660 } });
  const page = await context.newPage();
  page.setDefaultTimeout(PATIENCE_MS);
  await page.goto(url);
  return page;
}

async function login(page: Page, name: string, room: string): Promise<void> {
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#chat:not([hidden])');
  await page.waitForSelector('#status[data-state=online]');
}

/** The names in the page's user list, sorted (the page marks its own as "(you)"). */
async function users(page: Page): Promise<string[]> {
  return (await page.locator('#user-list button').allTextContents()).sort();
}

// The page's own globals, as the predicates below read them in the page.
declare const document: {
  body: { dataset: Record<string, string | undefined> };
  querySelectorAll(selector: string): Iterable<{ textContent: string | null }>;
};

// Predicates are functions, never strings: Playwright evaluates a string
// predicate again at each poll, and after the first the page's CSP
// (script-src 'self', no 'unsafe-eval') refuses it; a function is
// evaluated once, when the wait starts.
async function waitForUsers(page: Page, expected: string[]): Promise<void> {
  const wanted = JSON.stringify([...expected].sort());
  try {
    await page.waitForFunction(
      (names) =>
        JSON.stringify(
          [...document.querySelectorAll('#user-list button')].map((b) => b.textContent).sort(),
        ) === names,
      wanted,
    );
  } catch (error) {
    assert.deepEqual(await users(page), JSON.parse(wanted), `the user list (${error})`);
    throw error;
  }
}

/** Types `text` and sends it to everyone or, after a click on their name, to one user. */
async function say(page: Page, text: string, to?: string): Promise<void> {
  if (to !== undefined) {
    await page.locator('#user-list').getByRole('button', { name: to, exact: true }).click();
  } else {
    await page.selectOption('#to', 'all');
  }
  await page.waitForSelector('#send:not([disabled])');
  await page.fill('#content', text);
  await page.press('#content', 'Enter');
}

/** Resolves once a message whose text is exactly `text` is on the page. */
async function shows(page: Page, text: string, kind = 'say'): Promise<void> {
  await page
    .locator(`#messages li[data-kind=${kind}] .text`)
    .getByText(text, { exact: true })
    .first()
    .waitFor();
}

async function texts(page: Page, kind: string): Promise<string[]> {
  return page.locator(`#messages li[data-kind=${kind}] .text`).allTextContents();
}

test('two browsers chat through examples/chat: lists, public and private messages, escaping, reload, restart', async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t.diagnostic(`screenshots: ${ARTIFACTS}`);
  const shoot = (page: Page, name: string) =>
    page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: false });

  const ports = await chatPorts();
  // Heartbeats every 2 s: a page that did not answer would be cut after two.
  const env = { PING_INTERVAL: '2' };
  let app = await startChat(t, ports, env);
  const browser = await launchBrowser(t);
  const alice = await openChat(browser, app.webUrl);
  const bob = await openChat(browser, app.webUrl);

  await login(alice, 'alice', 'lobby');
  await login(bob, 'bob', 'lobby');
  await waitForUsers(alice, ['alice (you)', 'bob']);
  await waitForUsers(bob, ['alice', 'bob (you)']);
  await alice.locator('#messages li[data-kind=join]').getByText('bob joined').waitFor();

  // Public both ways, then a whisper.
  await say(alice, 'hi bob!');
  await shows(bob, 'hi bob!');
  await say(bob, 'hello alice, all good here');
  await shows(alice, 'hello alice, all good here');
  await say(alice, 'just between us: the gateway holds the sockets', 'bob');
  await shows(bob, 'just between us: the gateway holds the sockets', 'private');
  await shows(alice, 'just between us: the gateway holds the sockets', 'private');
  await say(bob, 'and business workers hold the logic');
  await shows(alice, 'and business workers hold the logic');
  await shoot(alice, 'conversation');
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
    copyFileSync(`${ARTIFACTS}conversation.png`, DOCS_SCREENSHOT);
  }

  // A third person with a script for a name: shown as text, never run.
  const mallory = await openChat(browser, app.webUrl);
  await login(mallory, XSS_NAME, 'lobby');
  await waitForUsers(alice, ['alice (you)', 'bob', XSS_NAME]);
  await say(mallory, XSS_MESSAGE);
  const pingsThen = Number((await mallory.evaluate('document.body.dataset.pings')) ?? 0);
  await shows(alice, XSS_MESSAGE);
  await shows(bob, XSS_MESSAGE);
  const whisper = 'mallory must not read this';
  await say(alice, whisper, 'bob');
  await shows(bob, whisper, 'private');
  await say(alice, 'after the whisper');
  await shows(mallory, 'after the whisper');
  assert.deepEqual(await texts(mallory, 'private'), []);
  await alice.locator('#messages li[data-kind=join]').getByText(`${XSS_NAME} joined`).waitFor();
  for (const page of [alice, bob, mallory]) {
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.equal(
      await page.locator('#messages img, #messages script, #user-list script').count(),
      0,
    );
  }
  await shoot(alice, 'escaped-name');

  // Business workers reloaded mid-conversation: every message sent
  // meanwhile arrives, once and in order, and nobody is disconnected.
  const reload = app.cli(['reload']);
  let reloaded = false;
  void reload.then(() => {
    reloaded = true;
  });
  const during: string[] = [];
  while ((!reloaded || during.length < 5) && during.length < 400) {
    const text = `during the reload #${during.length}`;
    during.push(text);
    await say(alice, text);
    await shows(alice, text);
  }
  const result = await reload;
  assert.equal(result.code, 0, result.stderr);
  await shows(bob, during.at(-1) as string);
  const bobHeard = (await texts(bob, 'say')).filter((text) => text.startsWith('during the'));
  assert.deepEqual(bobHeard, during);
  await say(bob, 'reloaded, and still here');
  await shows(alice, 'reloaded, and still here');
  assert.deepEqual(await texts(alice, 'system'), [], 'no connection was lost in the reload');

  // Silent since her message, mallory stayed through three more heartbeats: the page answers them.
  await mallory.waitForFunction(
    (least) => Number(document.body.dataset.pings ?? 0) >= least,
    pingsThen + 3,
  );
  assert.deepEqual(await texts(mallory, 'system'), []);
  await mallory.waitForSelector('#status[data-state=online]');

  // Someone leaves: the others see it.
  await mallory.click('#logout');
  await alice.locator('#messages li[data-kind=leave]').getByText(`${XSS_NAME} left`).waitFor();
  await waitForUsers(alice, ['alice (you)', 'bob']);
  await mallory.context().close();

  // A full restart on the same ports: the pages reconnect and log back in.
  const stopped = await app.cli(['stop']);
  assert.equal(stopped.code, 0, stopped.stderr);
  if (app.child.exitCode === null) await once(app.child, 'exit');
  await alice.waitForSelector('#status[data-state=offline]');
  await shoot(alice, 'server-down');
  app = await startChat(t, ports, env);
  for (const page of [alice, bob]) {
    await page.locator('#messages li[data-kind=system]').getByText('back online').waitFor();
  }
  await waitForUsers(alice, ['alice (you)', 'bob']);
  await waitForUsers(bob, ['alice', 'bob (you)']);
  await say(bob, 'back after the restart');
  await shows(alice, 'back after the restart');
  await say(alice, 'welcome back, bob', 'bob');
  await shows(bob, 'welcome back, bob', 'private');
  assert.deepEqual(await texts(alice, 'system'), ['connection lost, reconnecting…', 'back online']);
  await shoot(alice, 'after-restart');
});
