import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeName,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  launchChromium,
  tabTo,
  watchPage,
} from '../helpers/browser';
import { oathtool } from '../helpers/oathtool';

// The first run, as a newcomer meets it: `npm start` on an empty data directory prints a setup
// link; they open it, create the first Account Admin, enrol in 2FA (the account requires it) and
// end on the home page, by keyboard alone. The server is the real process, on PGlite, as
// `npm start` runs it; nothing of it is reached but through its output and the browser.

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'a quiet harbour at dawn' };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let child: ChildProcess | undefined;
let output = '';
let link = '';
let chromium: Browser | undefined;

/** Resolves with the first match of `pattern` in the server's output. */
function printed(pattern: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nothing like ${pattern} within ${ms} ms:\n${output}`)),
      ms,
    );
    const check = () => {
      const match = pattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(match);
    };
    child?.stdout?.on('data', check);
    child?.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the server exited:\n${output}`));
    });
    check();
  });
}

/** Whether the page scrolls sideways (test/browser/reflow.test.ts checks the console's pages so). */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe.skipIf(!chromiumPath)('the first run in Chromium, by keyboard', () => {
  beforeAll(async () => {
    const port = await freePort();
    child = spawn(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['src/server.ts'], {
      env: {
        ...process.env,
        // npm start's defaults but the port: 127.0.0.1, and the link on http://localhost:<port>.
        NODE_ENV: 'development',
        HOST: '',
        PUBLIC_URL: '',
        PORT: String(port),
        DATA_DIR: join(mkdtempSync(join(tmpdir(), 'gatehouse-first-run-')), 'data'),
        // The embedded database, whatever the test run uses.
        DATABASE_URL: '',
      },
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const [, printedLink = ''] = await printed(/^ {2}(http:\/\/\S+\/setup\/[A-Za-z0-9_-]{43})$/m);
    link = printedLink;
    await printed(/Gatehouse listening/);
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('prints the setup link once, with its hour', () => {
    expect(output).toContain('No users yet. Create the first Account Admin in your browser');
    expect(output.match(/\/setup\//g)).toHaveLength(1);
  });

  it('fits 320 CSS pixels without scrolling sideways, axe clean in dark mode', async () => {
    const page = await (chromium as Browser).newPage({
      viewport: { width: 320, height: 640 },
      colorScheme: 'dark',
    });
    try {
      await page.goto(link);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Create the first Account Admin',
      );
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      // The error state too: every message of the summary and the fields.
      await page.getByRole('button', { name: 'Create the Account Admin' }).press('Enter');
      await page.locator('.error-summary').waitFor();
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeViolations(page)).toEqual([]);
      // The page of a link that cannot be used, with its command line.
      await page.goto(new URL('/setup/no-such-link', link).toString());
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'This setup link cannot be used',
      );
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  // A real server process on an embedded database beside the whole suite: its pages can take
  // longer than Playwright's default 30 s wait when CI has every core busy.
  it('creates the first Account Admin, enrols in 2FA and lands home, axe clean', {
    timeout: 240_000,
  }, async () => {
    const page = await (chromium as Browser).newPage();
    page.setDefaultTimeout(90_000);
    const watch = await watchPage(page);
    await page.goto(link);
    expect(await page.title()).toBe('Set up Gatehouse · Gatehouse');
    expect(await axeViolations(page)).toEqual([]);

    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Skip to main content');
    await tabTo(page, 'Your name');
    await page.keyboard.type(ADA.name);
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Email address');
    await page.keyboard.type(ADA.email);
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Password');
    await page.keyboard.type('too short');
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Confirm password');
    await page.keyboard.type('too short');
    await page.keyboard.press('Enter');

    // Refused: the summary takes focus, the field says why, what was typed (but passwords) stays.
    await page.locator('.error-summary').waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.classList.contains('error-summary')))
      .toBe(true);
    expect(await page.locator('.error-summary').textContent()).toContain('Use at least 12 characters');
    expect(
      await page.getByRole('textbox', { name: 'Password', exact: true }).getAttribute('aria-invalid'),
    ).toBe('true');
    expect(await page.getByRole('textbox', { name: 'Your name' }).inputValue()).toBe(ADA.name);
    expect(await page.getByRole('textbox', { name: 'Email address' }).inputValue()).toBe(ADA.email);
    expect(await axeViolations(page)).toEqual([]);

    // The summary's link goes to the field.
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Use at least 12 characters (this one has 9).');
    await page.keyboard.press('Enter');
    await expect.poll(() => activeName(page)).toBe('Password');
    await page.keyboard.type(ADA.password);
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Confirm password');
    await page.keyboard.type(ADA.password);
    await page.keyboard.press('Enter');

    // Signed in, at the enrolment the account requires.
    await page.waitForURL((url) => url.pathname === '/account/two-factor');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Set up two-factor authentication',
    );
    expect(await page.getByRole('status').first().textContent()).toContain(
      'Welcome, Ada Lovelace: you are the Account Admin.',
    );
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'Start');
    await page.keyboard.press('Enter');
    await page.locator('code.totp-key').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const key = ((await page.locator('code.totp-key').textContent()) ?? '').replaceAll(' ', '');
    expect(key).toMatch(/^[A-Z2-7]{16,}$/);
    await tabTo(page, 'Code from the app');
    await page.keyboard.type(oathtool(key));
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { level: 1, name: 'Your recovery codes' }).waitFor();
    expect(await page.locator('ol.codes li').count()).toBe(10);
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'I have saved them');
    await page.keyboard.press('Enter');

    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome, Ada Lovelace');
    // An Account Admin: the account's settings are theirs (an Admin has everything else).
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count(),
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    // The link is spent: opening it again says so, and what to do.
    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Gatehouse is already set up');
    expect(await axeViolations(page)).toEqual([]);
    await expectNoFaults(watch, { console: 'unexpected' });
    // The server logged no failed request (app.ts logs each with its route).
    expect(output).not.toMatch(/^request .* failed/m);
    await page.close();
  });
});
