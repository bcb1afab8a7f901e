import type { BrowserContextOptions, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADA,
  activeName,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  signInWithForm,
  tabTo,
  watchPage,
} from '../helpers/browser';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';

const { server, browser } = setUpBrowser({ admin: true });
let grace: { id: string; email: string; name: string };
/** The page of the settings change made through /settings: an event with before and after values. */
let settingsEventUrl: string;

/**
 * Every sign-in and refused sign-in of this file goes through the sign-in form and is counted
 * here, so the chart's numbers for today can be checked exactly on this fresh server.
 */
const made = { signIns: 0, failed: 0 };

async function signIn(page: Page, email: string, password: string) {
  await signInWithForm(page, server.url, email, password);
  made.signIns++;
}

async function failSignIn(page: Page, email: string) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).fill(email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // Also used in beforeAll, where expect.poll is not available.
  await page.getByRole('alert').filter({ hasText: 'The email address or password is incorrect.' }).waitFor();
  made.failed++;
}

/** Ada, the Account Admin (audit.view account-wide), signed in through the form in a new context. */
async function adminPage(options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await signIn(page, ADA.email, ADA.password);
  return page;
}

const rows = (page: Page) => page.locator('#audit-list tbody tr');
/** One column of the audit table: 2 Actor, 3 Action, 4 Outcome. */
const column = (page: Page, n: number) =>
  page.locator(`#audit-list tbody tr > :nth-child(${n})`).allTextContents();

async function expectAccessible(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([]);
}

/** /audit with the chart, the action filter opened and the chart's table opened. */
async function checkAuditPage(page: Page, scheme: string) {
  await page.goto(`${server.url}/audit`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log');
  expect(await rows(page).count()).toBeGreaterThan(3);
  const chart = page.locator('figure.activity svg[role="img"]');
  expect(await chart.getAttribute('aria-label')).toMatch(/^Chart of sign-ins, failed sign-ins and lockouts/);
  await expectAccessible(page, `/audit (${scheme})`);

  const actions = page.locator('details.filter-menu', { has: page.locator('.action-filter') });
  await actions.locator('summary').click();
  expect(await actions.getAttribute('open')).not.toBeNull();
  expect(await page.getByRole('checkbox', { name: 'Sign-in', exact: true }).isVisible()).toBe(true);
  const numbers = page.locator('figure.activity details');
  await numbers.locator('summary').click();
  expect(await numbers.locator('table').isVisible()).toBe(true);
  await expectAccessible(page, `/audit with both details open (${scheme})`);

  // Filtered: the chosen values show as chips, and the menus count them.
  await page.goto(`${server.url}/audit?action=auth.sign_in&outcome=failed`);
  expect(await page.getByRole('link', { name: 'Remove Action: Sign-in' }).count()).toBe(1);
  expect(await page.getByRole('link', { name: 'Remove Outcome: Failed' }).count()).toBe(1);
  await expectAccessible(page, `/audit filtered (${scheme})`);
}

async function checkEventPage(page: Page, scheme: string) {
  await page.goto(settingsEventUrl);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(
    /^Event \d+: Account settings changed$/,
  );
  expect(await page.locator('table.diff tbody tr').count()).toBeGreaterThan(0);
  await expectAccessible(page, `${settingsEventUrl} (${scheme})`);
}

async function checkHomePage(page: Page, scheme: string) {
  await page.goto(`${server.url}/`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome, Ada Lovelace');
  expect(
    await page.getByRole('heading', { level: 2, name: 'Sign-ins in the last 30 days' }).isVisible(),
  ).toBe(true);
  expect(await page.locator('figure.activity svg[role="img"]').count()).toBe(1);
  await expectAccessible(page, `/ (${scheme})`);
  const numbers = page.locator('figure.activity details');
  await numbers.locator('summary').click();
  expect(await numbers.locator('table').isVisible()).toBe(true);
  await expectAccessible(page, `/ with the numbers open (${scheme})`);
}

describe.skipIf(!chromiumPath)('the audit log in Chromium', () => {
  beforeAll(async () => {
    grace = await makeUser(server.db, { name: 'Grace Hopper', email: 'grace@example.com' });
    // Grace: one refused sign-in, then two that succeed, each in its own browser.
    for (const attempt of ['wrong', 'right', 'right'] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      if (attempt === 'wrong') await failSignIn(page, grace.email);
      else await signIn(page, grace.email, FIXTURE_PASSWORD);
      await context.close();
    }
  });

  // First, before any page has drawn the chart: the counts are cached for a minute
  // (signInActivity), so a chart drawn earlier would show the numbers of that moment.
  it("opens the chart's numbers by keyboard: 30 days, today's sign-ins and failures", async () => {
    const page = await adminPage();
    await page.goto(`${server.url}/audit`);
    const table = page.locator('figure.activity details table');
    expect(await table.isVisible()).toBe(false);

    await tabTo(page, 'Numbers per day');
    await page.keyboard.press('Enter');
    await expect.poll(() => table.isVisible()).toBe(true);
    const days = table.locator('tbody tr');
    expect(await days.count()).toBe(30);
    const today = new Date().toISOString().slice(0, 10);
    const last = days.last();
    expect(await last.locator('th').textContent()).toBe(today);
    // Sign-ins, failed sign-ins, lockouts: exactly those this file made on a fresh server.
    expect(await last.locator('td').allTextContents()).toEqual([
      String(made.signIns),
      String(made.failed),
      '0',
    ]);
    expect(made.signIns).toBeGreaterThanOrEqual(2);
    expect(made.failed).toBeGreaterThanOrEqual(1);
    expect(await page.locator('figure.activity figcaption').textContent()).toContain(
      `${made.signIns} sign-ins, ${made.failed} failed sign-in`,
    );
    expect(await activeName(page)).toBe('Numbers per day');
    expect(server.errors).toEqual([]);
    await page.context().close();
  });

  it('the audit log, an event with before and after, and the home chart pass axe, light and dark', async () => {
    const page = await adminPage();
    const watch = await watchPage(page);

    // A change with before/after values, made as a person would.
    await page.goto(`${server.url}/settings`);
    const field = page.getByRole('textbox', { name: 'Account name' });
    const oldName = await field.inputValue();
    await field.fill('Gatehouse audit test');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved: Account name.');

    await page.goto(`${server.url}/audit?action=account.settings_update`);
    expect(await rows(page).count()).toBe(1);
    await rows(page).getByRole('link').click();
    await page.waitForURL(/\/audit\/events\/\d+$/);
    settingsEventUrl = page.url();
    const change = page.locator('table.diff tbody tr', { hasText: 'account_name' });
    expect(await change.locator('td').allTextContents()).toEqual([oldName, 'Gatehouse audit test', 'Yes']);

    await checkAuditPage(page, 'light');
    await checkEventPage(page, 'light');
    await checkHomePage(page, 'light');
    expect(await watch.cspViolations()).toEqual([]);
    await page.context().close();

    const dark = await adminPage({ colorScheme: 'dark' });
    try {
      await checkAuditPage(dark, 'dark');
      await checkEventPage(dark, 'dark');
      await checkHomePage(dark, 'dark');
    } finally {
      await dark.context().close();
    }
    expect(server.errors).toEqual([]);
  });

  it('filters by outcome and opens an event by keyboard alone', async () => {
    const page = await adminPage();
    const watch = await watchPage(page);
    await page.goto(`${server.url}/audit`);
    // Unfiltered, the list has more than failures: the filter below has something to remove.
    expect((await column(page, 4)).some((outcome) => outcome !== 'Failed')).toBe(true);

    // The Outcome menu: open it, move through its radio buttons to "Failed"; each choice applies.
    await tabTo(page, 'Outcome');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('failed');
    await page.keyboard.press('Escape');
    await page.waitForURL((url) => url.pathname === '/audit' && url.searchParams.get('outcome') === 'failed');
    await expect.poll(() => column(page, 4)).toEqual(Array(made.failed).fill('Failed'));
    expect(await column(page, 2)).toContain(grace.email);

    const link = rows(page).first().getByRole('link');
    const name = ((await link.textContent()) ?? '').trim();
    expect(name).toMatch(/^Sign-in, event \d+$/);
    await tabTo(page, name);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toMatch(
      /^\/audit\/events\/\d+$/,
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/audit\/events\/\d+$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Event \d+: Sign-in$/);
    expect(await page.locator('.event-fields').textContent()).toContain('Failed');

    await expectNoFaults(watch, { server });
    await page.context().close();
  });

  it('without JavaScript, the filter form is a plain GET that narrows the list to one actor', async () => {
    const page = await adminPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}/audit`);
    expect(new Set(await column(page, 2)).size).toBeGreaterThan(1);

    // The People menu opens without JavaScript too (a <details>).
    await page.locator('summary', { hasText: 'People' }).click();
    await page.getByLabel('Actor', { exact: true }).fill(grace.email);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(
      (url) => url.pathname === '/audit' && url.searchParams.get('actor') === grace.email,
    );
    // Her two sign-ins and the refused one, which names her address without her id.
    expect(await column(page, 2)).toEqual([grace.email, grace.email, grace.email]);
    expect((await column(page, 4)).sort()).toEqual(['Failed', 'Succeeded', 'Succeeded']);
    expect(await page.locator('#actor').inputValue()).toBe(grace.email);
    expect(server.errors).toEqual([]);
    await page.context().close();
  });
});
