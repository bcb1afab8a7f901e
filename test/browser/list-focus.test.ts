import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { writeAudit } from '../../src/audit/write';
import {
  ADA,
  axeViolations,
  chromiumPath,
  setUpBrowser,
  signInWithForm,
  watchPage,
} from '../helpers/browser';
import { makeMembers } from '../helpers/fixtures';

const { server, browser } = setUpBrowser({ admin: true });
let page: Page;

/** The focused element, as "<tag>#<id>", so that a failure says where focus went. */
const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : 'none';
  });
const status = () => page.locator('#list-status').textContent();

type Probe = { htmx: { config: { defaultSettleDelay: number } }; swapped?: boolean };

/**
 * Presses Enter on a control and waits until the list's fragment has replaced it and htmx has
 * finished the swap. htmx's settle delay is widened to 300 ms, and focus must already be where it
 * ends up in the task that inserted the list: with the default 1 ms a loaded machine and a screen
 * reader both saw it sit on the body in between.
 */
async function activate(selector: string) {
  await page.evaluate(() => {
    const w = window as unknown as Probe;
    w.htmx.config.defaultSettleDelay = 300;
    w.swapped = false;
    document.addEventListener('htmx:after:swap', () => (w.swapped = true), { once: true });
  });
  const old = await page.locator(selector).elementHandle();
  await page.locator(selector).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => old?.evaluate((el) => el.isConnected)).toBe(false);
  const atInsertion = await focused();
  await expect.poll(() => page.evaluate(() => (window as unknown as Probe).swapped)).toBe(true);
  expect(await focused()).toBe(atInsertion);
}

describe.skipIf(!chromiumPath)('focus and announcements after list updates, in Chromium', () => {
  beforeAll(async () => {
    await makeMembers(server.db, 40);
    const projectId = await defaultProjectId(server.db);
    const roleId = await builtinRoleId(server.db, 'viewer');
    await server.db
      .insertInto('invitations')
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          email: `invitee${i}@example.com`,
          project_id: projectId,
          role_id: roleId,
          role_name: 'Viewer',
          invited_by_label: 'ada@example.com',
          language: 'en' as const,
          token_hash: Buffer.from(`token ${i}`.padEnd(32, '.')),
          // A second apart, as invitations sent one by one are.
          created_at: new Date(Date.now() - i * 1000),
          sent_at: new Date(),
          expires_at: new Date(Date.now() + 86_400_000),
        })),
      )
      .execute();
    for (let i = 0; i < 30; i++) {
      await writeAudit(server.db, server.system, {
        action: 'http.request',
        outcome: 'denied',
        actor: { id: null, label: 'test' },
        target: { type: 'route', id: `GET /probe/${i}` },
      });
    }
    page = await browser.newPage();
    await signInWithForm(page, server.url, ADA.email, ADA.password);
  });

  it('sort headers are named by their column, with the state in aria-sort and the action as a description', async () => {
    await page.goto(`${server.url}/users`);
    const header = page.getByRole('columnheader', { name: 'Email', exact: true });
    expect(await header.getAttribute('aria-sort')).toBeNull();
    const link = header.getByRole('link', { name: 'Email', exact: true });
    const hint = await link.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${hint}"]`).textContent()).toBe('Activate to sort by email, A to Z');
    expect(
      await page.getByRole('columnheader', { name: 'Name', exact: true }).getAttribute('aria-sort'),
    ).toBe('ascending');
  });

  it('users: focus stays on the sort header and page links used, or goes to the caption; the order and range are announced', async () => {
    const watch = await watchPage(page);
    await page.goto(`${server.url}/users?per=10`);
    await activate('#sort-email');
    expect(await focused()).toBe('a#sort-email');
    expect(await status()).toBe('Sorted by email, A to Z. Showing 1–10 of 41 users');
    expect(await page.locator('#sort-email').getAttribute('aria-describedby')).toBe('sort-email-hint');
    expect(await page.locator('#sort-email-hint').textContent()).toBe('Activate to sort by email, Z to A');

    await activate('#sort-last_login');
    expect(await focused()).toBe('a#sort-last_login');
    expect(await status()).toBe('Sorted by last sign-in, oldest first. Showing 1–10 of 41 users');
    await activate('#sort-last_login');
    expect(await focused()).toBe('a#sort-last_login');
    expect(await status()).toBe('Sorted by last sign-in, newest first. Showing 1–10 of 41 users');

    await activate('#sort-email');
    expect(await focused()).toBe('a#sort-email');
    expect(await status()).toBe('Sorted by email, A to Z. Showing 1–10 of 41 users');
    await activate('#user-list-next');
    expect(await focused()).toBe('a#user-list-next');
    expect(await status()).toBe('Sorted by email, A to Z. Showing 11–20 of 41 users');
    // Last is disabled on the last page: focus goes to the caption, which says where the user is.
    await activate('#user-list-last');
    expect(await focused()).toBe('caption#user-list-caption');
    expect(await status()).toBe('Sorted by email, A to Z. Showing 32–41 of 41 users');
    await activate('#user-list-previous');
    expect(await focused()).toBe('a#user-list-previous');
    await activate('#user-list-first');
    expect(await focused()).toBe('caption#user-list-caption');
    expect(await status()).toBe('Sorted by email, A to Z. Showing 1–10 of 41 users');
    expect(await axeViolations(page)).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
  });

  it('invitations and audit: the same focus and the same announcement', async () => {
    await page.goto(`${server.url}/invitations?per=10`);
    await activate('#invitation-list-next');
    expect(await focused()).toBe('a#invitation-list-next');
    expect(await status()).toBe('Sorted by state, then newest first. Showing 11–20 of 30 invitations');
    await activate('#invitation-list-previous');
    expect(await focused()).toBe('caption#invitation-list-caption');
    expect(await status()).toBe('Sorted by state, then newest first. Showing 1–10 of 30 invitations');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/audit?per=10`);
    await activate('#audit-list-next');
    expect(await focused()).toBe('a#audit-list-next');
    expect(await status()).toMatch(/^Sorted by time, newest first\. Showing 11–20 of \d+ events$/);
    await activate('#audit-list-last');
    expect(await focused()).toBe('caption#audit-list-caption');
    expect(await axeViolations(page)).toEqual([]);
    expect(server.errors).toEqual([]);
  });
});
