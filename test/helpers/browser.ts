import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Clock } from '../../src/core/context';
import { createAdminWithPassword } from './app';
import { startServer } from './server';

const require = createRequire(import.meta.url);

/** Debian's Chromium (apt-get install chromium), or CHROMIUM_PATH. Never a downloaded browser. */
export const chromiumPath = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((p): p is string => Boolean(p && existsSync(p)));

if (!chromiumPath && process.env.CI) {
  throw new Error('Chromium is required in CI: apt-get install -y chromium (or set CHROMIUM_PATH)');
}
if (!chromiumPath) {
  console.warn('Browser tests skipped: no Chromium found. Install it with apt-get install -y chromium.');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Records CSP violations and console errors from the page's first script on. */
export async function watchPage(page: Page) {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      w.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return {
    consoleErrors,
    cspViolations: () =>
      page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations),
  };
}

export type PageWatch = Awaited<ReturnType<typeof watchPage>>;

/** Chromium logs a document answered 4xx (a refused form) as a console error: expected, not a fault. */
const refusedDocument = /^Failed to load resource: the server responded with a status of 4\d\d/;

/**
 * The checks a browser test ends with: no CSP violation on the watched page; with `server`, no
 * error the server logged; with `console`, no console error ('all') or none but the refused
 * documents' ('unexpected').
 */
export async function expectNoFaults(
  watch: PageWatch,
  options: { server?: { errors: unknown[] }; console?: 'all' | 'unexpected' } = {},
): Promise<void> {
  expect(await watch.cspViolations(), 'CSP violations').toEqual([]);
  if (options.console === 'all') expect(watch.consoleErrors, 'console errors').toEqual([]);
  if (options.console === 'unexpected')
    expect(
      watch.consoleErrors.filter((e) => !refusedDocument.test(e)),
      'unexpected console errors',
    ).toEqual([]);
  if (options.server) expect(options.server.errors, 'errors the server logged').toEqual([]);
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through DevTools rather than added as a <script>, which our CSP would block.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
    });
    return result.violations;
  });
  return violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** The accessible name of the focused element: aria-label, its label, or its text. */
export function activeName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const aria = el.getAttribute('aria-label');
    if (aria) return aria;
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    return (label ?? el.textContent ?? '').trim();
  });
}

/** Presses Tab until the focused control has this accessible name. */
export async function tabTo(page: Page, name: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await activeName(page)) === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** Signs in through the sign-in form, as a person would, and waits for the home page. */
export async function signInWithForm(
  page: Page,
  baseUrl: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** Ada, the Account Admin the browser tests sign in as. */
export const ADA = { email: 'ada@example.com', name: 'Ada Lovelace', password: 'a quiet harbour at dawn' };

export type TestServer = Awaited<ReturnType<typeof startServer>>;

/**
 * A browser test file's server (startServer(), with Ada when `admin` is set) and Chromium, started
 * in beforeAll and closed in afterAll; no hooks when there is no Chromium (the file's describe is
 * skipped). `server` is filled in by beforeAll; `browser` opens pages in the Chromium then running;
 * `adminPage` is a page in a new context, signed in as Ada through the form.
 */
export function setUpBrowser(options: { admin?: boolean; clock?: Clock } = {}) {
  const server = {} as TestServer;
  let chromium: Browser | undefined;
  const running = () => {
    if (!chromium) throw new Error('Chromium is not running: use the browser in tests and hooks');
    return chromium;
  };
  if (chromiumPath) {
    beforeAll(async () => {
      Object.assign(server, await startServer({ clock: options.clock }));
      if (options.admin) await createAdminWithPassword(server, ADA);
      chromium = await launchChromium();
    });
    afterAll(async () => {
      await chromium?.close();
      await server.close?.();
    });
  }
  const browser = {
    newContext: (contextOptions?: BrowserContextOptions) => running().newContext(contextOptions),
    newPage: (contextOptions?: BrowserContextOptions) => running().newPage(contextOptions),
  };
  async function adminPage(contextOptions: BrowserContextOptions = {}): Promise<Page> {
    const page = await (await browser.newContext(contextOptions)).newPage();
    await signInWithForm(page, server.url, ADA.email, ADA.password);
    return page;
  }
  return { server, browser, adminPage };
}
