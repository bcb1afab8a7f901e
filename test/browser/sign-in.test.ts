import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAccountAdmin } from '../../src/users/create';
import {
  activeName as activeNameOf,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  type PageWatch,
  setUpBrowser,
  tabTo as tabToName,
  watchPage,
} from '../helpers/browser';

const PASSWORD = 'a quiet harbour at dawn';
const { server, browser } = setUpBrowser();
let page: Page;
let watch: PageWatch;

const activeName = () => activeNameOf(page);
const tabTo = (name: string) => tabToName(page, name);

describe.skipIf(!chromiumPath)('in Chromium, by keyboard', () => {
  beforeAll(async () => {
    page = await browser.newPage();
    watch = await watchPage(page);
  });

  it('sets the first password from the CLI link, signs in and out, with no axe violation or CSP report', async () => {
    const admin = await createAccountAdmin(server.system, { email: 'ada@example.com', name: 'Ada Lovelace' });
    await page.goto(admin.link);
    expect(await page.title()).toBe('Set your password · Gatehouse');
    expect(await axeViolations(page)).toEqual([]);

    // The skip link comes first and moves focus to the main content.
    await page.keyboard.press('Tab');
    expect(await activeName()).toBe('Skip to main content');

    await tabTo('New password');
    await page.keyboard.type(PASSWORD);
    await tabTo('Confirm new password');
    await page.keyboard.type(`${PASSWORD} typo`);
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await expect.poll(() => page.locator('.error-summary').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    expect(
      await page.getByRole('textbox', { name: 'Confirm new password' }).getAttribute('aria-invalid'),
    ).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('New password', { exact: true }).focus();
    await page.keyboard.type(PASSWORD);
    await page.getByLabel('Confirm new password').focus();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login$/);
    expect(await page.getByRole('status').textContent()).toContain('Your password is set.');
    expect(await axeViolations(page)).toEqual([]);

    // A wrong password: the error state of the sign-in page.
    await tabTo('Email address');
    await page.keyboard.type('ada@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('The email address or password is incorrect.');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Email address' }).focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('ada@example.com');
    await page.keyboard.press('Tab');
    expect(await activeName()).toBe('Password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome, Ada Lovelace');
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    // htmx loaded from this origin under the CSP.
    expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe('object');

    await page.goto(`${server.url}/no/such/page`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(server.url);
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login\?signed_out=1$/);
    expect(await page.getByRole('status').textContent()).toContain('You have signed out.');
    await page.goto(server.url);
    expect(new URL(page.url()).pathname).toBe('/login');

    await page.goto(admin.link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link cannot be used');
    expect(await axeViolations(page)).toEqual([]);

    await expectNoFaults(watch, { server });
    expect(watch.consoleErrors.filter((e) => /Content.Security.Policy|Refused to/i.test(e))).toEqual([]);
  });

  it('passes axe in dark mode too', async () => {
    const dark = await browser.newPage({ colorScheme: 'dark' });
    try {
      await dark.goto(`${server.url}/login`);
      await dark.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect.poll(() => dark.getByRole('alert').isVisible()).toBe(true);
      expect(await axeViolations(dark)).toEqual([]);
    } finally {
      await dark.close();
    }
  });
});
