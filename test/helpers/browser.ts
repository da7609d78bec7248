import type { TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium, headless, through playwright-core; closed when the test
 * ends. Each `browser.newContext()` is an isolated profile (its own cookies
 * and storage), so two contexts are two players. `launch` gives the browser a
 * fresh temporary user-data dir of its own and removes it on close.
 */
export async function launchBrowser(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(() => browser.close());
  return browser;
}
