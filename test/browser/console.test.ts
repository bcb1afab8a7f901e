import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedUsers } from '../../src/users/seed';
import {
  ADA,
  activeName,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  watchPage,
} from '../helpers/browser';

/**
 * The console as a new administrator meets it: the users list's toolbar (search, filter menus,
 * chips, page size, columns, export), its selection bar, the dialogs on the Users tab, in both
 * colour schemes and at 320 px. It also writes the README's screenshots (docs/screenshots).
 */
const { server, adminPage } = setUpBrowser({ admin: true });
const SHOTS = path.resolve(import.meta.dirname, '../../docs/screenshots');

const caption = (page: Page) => page.locator('#user-list-caption').textContent();
const status = (page: Page) => page.locator('#list-status').textContent();

/** The focused element's rendered text (a menu button's name, without its hidden count). */
const focusedText = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el instanceof HTMLInputElement && el.labels?.[0]) return el.labels[0].innerText.trim();
    return el?.getAttribute('aria-label') ?? el?.innerText.trim() ?? '';
  });

async function tabToText(page: Page, text: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if ((await focusedText(page)) === text) return;
  }
  throw new Error(`Tab never reached "${text}"`);
}

/** Whether the page scrolls sideways. */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe.skipIf(!chromiumPath)('the console in Chromium', () => {
  let total = 0;
  beforeAll(async () => {
    await seedUsers(server.system, 120);
    const n = await server.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('deactivated_at', 'is', null)
      .executeTakeFirstOrThrow();
    total = Number(n.n);
  });

  it('filters through the toolbar menus by keyboard, shows chips, and removes them', async () => {
    const page = await adminPage();
    const watch = await watchPage(page);
    await page.goto(`${server.url}/users`);
    expect(await caption(page)).toBe(`Showing 1–25 of ${total} users`);
    // "/" goes to the search box from anywhere but a field, unless turned off in My account.
    await page.locator('h1').click();
    await page.keyboard.press('/');
    expect(await activeName(page)).toBe('Search name or email');
    await page.goto(`${server.url}/account`);
    await page.getByRole('checkbox', { name: "Press / to go to a list's search box" }).uncheck();
    await page.goto(`${server.url}/users`);
    await page.locator('h1').click();
    await page.keyboard.press('/');
    expect(await activeName(page)).not.toBe('Search name or email');
    await page.goto(`${server.url}/account`);
    await page.getByRole('checkbox', { name: "Press / to go to a list's search box" }).check();
    await page.goto(`${server.url}/users`);

    // The Status menu: a button that opens a group of checkboxes, counted on the button.
    await tabToText(page, 'Role');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Status');
    await page.keyboard.press('Enter');
    expect(await page.locator('details.filter-menu[open] summary').textContent()).toMatch(/^Status/);
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Active');
    await page.keyboard.press('Space');
    await expect.poll(() => status(page)).toMatch(/^Sorted by name, A to Z\. Showing 1–25 of \d+ users$/);
    expect(page.url()).toContain('status=active');
    await expect.poll(() => page.getByRole('link', { name: 'Remove Status: Active' }).count()).toBe(1);
    expect(await page.locator('details.filter-menu[open] [data-menu-count-value]').textContent()).toBe('1');
    // Escape closes the menu and gives focus back to its button.
    await page.keyboard.press('Escape');
    expect(await page.locator('details.filter-menu[open]').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SUMMARY');

    // A second filter, by the Inactive menu's radio buttons.
    await page.locator('summary', { hasText: 'Inactive for' }).click();
    await page.getByRole('radio', { name: '90 days or more' }).check();
    await expect
      .poll(() => page.getByRole('link', { name: 'Remove Inactive for: 90 days or more' }).count())
      .toBe(1);
    expect(page.url()).toContain('inactive=90');

    // Removing a chip by keyboard clears its control and keeps focus among the chips.
    await page.getByRole('link', { name: 'Remove Status: Active' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('link', { name: 'Remove Status: Active' }).count()).toBe(0);
    expect(page.url()).not.toContain('status=active');
    expect(await page.locator('#filters input[name="status"][value="active"]').isChecked()).toBe(false);
    expect(await focusedText(page)).toBe('Remove Inactive for: 90 days or more');
    // "Clear all" empties every filter and the search, and focus goes to the search box.
    await page.getByRole('link', { name: 'Clear all' }).click();
    await expect.poll(() => caption(page)).toBe(`Showing 1–25 of ${total} users`);
    expect(await activeName(page)).toBe('Search name or email');
    expect(await page.locator('#filters input[name="inactive"][value=""]').isChecked()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await expectNoFaults(watch, { server });
    await page.context().close();
  });

  it('without JavaScript the toolbar is a form that submits, and chips are links', async () => {
    const page = await adminPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}/users`);
    await page.locator('summary', { hasText: 'Status' }).click();
    await page.getByRole('checkbox', { name: 'Locked' }).check();
    await page.getByRole('checkbox', { name: 'Active' }).check();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/status=active/);
    expect(page.url()).toContain('status=locked');
    expect(await page.getByRole('link', { name: 'Remove Status: Locked' }).count()).toBe(1);
    // The selection bar is the plain bulk form, always there.
    expect(await page.getByRole('button', { name: 'Deactivate' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Remove Status: Active' }).click();
    await page.waitForURL((url) => !url.search.includes('status=active'));
    expect(page.url()).toContain('status=locked');
    await page.context().close();
  });

  it('shows a selection bar as rows are ticked, announces it, and offers every match', async () => {
    const page = await adminPage();
    await page.goto(`${server.url}/users?per=10`);
    const bar = page.locator('#bulk-form');
    expect(await bar.isVisible()).toBe(false);
    await page
      .getByRole('checkbox', { name: /^Select Member|^Select / })
      .nth(1)
      .focus();
    await page.keyboard.press('Space');
    await expect.poll(() => bar.isVisible()).toBe(true);
    expect(await page.locator('#selection-count').textContent()).toBe('1 selected');
    expect(await page.locator('#selection-status').textContent()).toBe(
      '1 selected. Actions are above the table.',
    );
    // The bar is a named form with named buttons.
    expect(await page.getByRole('form', { name: 'Actions on selected users' }).count()).toBe(1);
    for (const name of ['Deactivate', 'Resend set-password email', 'Delete', 'Clear selection'])
      expect(await bar.getByRole('button', { name, exact: true }).count(), name).toBe(1);
    expect(await bar.locator('summary', { hasText: 'Change role' }).count()).toBe(1);

    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    expect(await page.locator('#selection-count').textContent()).toBe('10 selected');
    const matching = page.getByRole('button', {
      name: `Select all ${total.toLocaleString('en-US')} matching`,
    });
    expect(await matching.isVisible()).toBe(true);
    await matching.focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('#selection-count').textContent()).toBe(`All ${total} matching users selected`);
    expect(await activeName(page)).toBe('Clear selection');
    await bar.getByRole('button', { name: 'Deactivate' }).click();
    await page.waitForURL(/\/users\/bulk\/preview$/);
    expect(await page.locator('main').textContent()).toContain(`${total} users match the filters.`);
    expect(await page.getByRole('button', { name: `Deactivate all ${total} users` }).count()).toBe(1);

    await page.goto(`${server.url}/users?per=10`);
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    await page.getByRole('button', { name: 'Clear selection' }).click();
    await expect.poll(() => bar.isVisible()).toBe(false);
    expect(await page.locator('#selection-status').textContent()).toBe('Selection cleared.');
    expect(await activeName(page)).toBe('Select all on this page');
    await page.context().close();
  });

  it('opens "Invite users" and "Create user" as dialogs from the Users tab', async () => {
    const page = await adminPage();
    await page.goto(`${server.url}/users`);
    const before = (await caption(page)) ?? '';
    await page.getByRole('link', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await activeName(page)).toBe('Name');
    await page.keyboard.type('Katherine Johnson');
    await page.keyboard.press('Tab');
    await page.keyboard.type('katherine@example.com');
    await dialog.getByLabel('Role').selectOption({ label: 'Viewer' });
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'User created' }).isVisible()).toBe(true);
    expect(await page.locator('#dialog-status').textContent()).toContain('katherine@example.com was created');
    await page.keyboard.press('Escape');
    expect(await activeName(page)).toBe('Create user');
    // The list behind the dialog counts the new person.
    const count = (text: string) => Number(/of (\d+) users/.exec(text)?.[1]);
    await expect.poll(async () => count((await caption(page)) ?? '')).toBe(count(before) + 1);

    await page.getByRole('link', { name: 'Invite users' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Invite users' }).isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await activeName(page)).toBe('Invite users');
    await page.context().close();
  });

  it('is axe clean and does not scroll sideways at 320 px, light and dark, and writes the screenshots', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const ada = await server.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', ADA.email)
      .executeTakeFirstOrThrow();
    const someone = await server.db
      .selectFrom('users')
      .select('id')
      .where('email', 'like', 'user%')
      .orderBy('email')
      .executeTakeFirstOrThrow();
    const paths = [
      '/',
      '/users',
      '/users?status=active&inactive=30',
      '/users?tab=deactivated',
      `/users/${someone.id}`,
      `/users/${ada.id}`,
      '/invitations',
      '/audit',
      '/email',
    ];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const width of [1280, 320]) {
        const page = await adminPage({ colorScheme, viewport: { width, height: 900 } });
        for (const p of paths) {
          await page.goto(`${server.url}${p}`);
          expect(await axeViolations(page), `${p} ${colorScheme} ${width}`).toEqual([]);
          expect(await sideways(page), `${p} ${colorScheme} ${width}`).toBe(false);
        }
        await page.context().close();
      }
    }
    for (const width of [1280, 390]) {
      const page = await adminPage({ colorScheme: 'light', viewport: { width, height: 900 } });
      for (const [name, p] of [
        ['users', '/users'],
        ['user', `/users/${someone.id}`],
        ['home', '/'],
      ] as const) {
        await page.goto(`${server.url}${p}`);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`) });
      }
      await page.context().close();
    }
  });
});
