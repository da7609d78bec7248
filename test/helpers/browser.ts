import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium package (scripts/test.sh installs it). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, and quiet: no first-run pages, no network of its own, no updates, no sync. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * One chromium with a fresh profile of its own (a persistent context is how
 * playwright takes an explicit `--user-data-dir`); closed, and the profile
 * removed, when the test ends.
 */
export async function launchBrowserContext(
  t: TestContext,
  extraArgs: readonly string[] = [],
): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'workerman-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

/**
 * One chromium for several isolated contexts (`browser.newContext()`: own
 * cookies and storage each, like two people on two machines). Playwright
 * gives it a temporary profile and removes it on close, at the test's end.
 */
export async function launchBrowser(
  t: TestContext,
  extraArgs: readonly string[] = [],
): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  t.after(() => browser.close());
  return browser;
}

/**
 * The TypeScript loader names functions with a `__name` helper, which a
 * function handed to `page.evaluate` then calls inside the page; give the
 * page one (for every document it loads).
 */
export async function allowEvaluatedFunctions(page: Page): Promise<void> {
  const helper = 'globalThis.__name = (fn) => fn';
  await page.addInitScript(helper);
  await page.evaluate(helper);
}
