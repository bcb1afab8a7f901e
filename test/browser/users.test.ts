import { beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chromiumPath, expectNoFaults, setUpBrowser, watchPage } from '../helpers/browser';
import { makeMembers } from '../helpers/fixtures';

const { server, adminPage } = setUpBrowser({ admin: true });

describe.skipIf(!chromiumPath)('the users list in Chromium', () => {
  beforeAll(async () => {
    await makeMembers(server.db, 40);
  });

  it('works without JavaScript: list, search, paging and a deactivation', async () => {
    const page = await adminPage({ javaScriptEnabled: false });
    await page.goto(`${server.url}/users`);
    expect(await page.getByRole('table').getByRole('caption').textContent()).toBe('Showing 1–25 of 41 users');
    await page.getByLabel('Search name or email').fill('member 1');
    await page.getByLabel('Search name or email').press('Enter');
    await page.waitForURL(/q=member\+1/);
    expect(await page.getByRole('table').getByRole('caption').textContent()).toBe('Showing 1–10 of 10 users');
    await page.goto(`${server.url}/users`);
    await page.getByRole('link', { name: 'Next' }).click();
    await page.waitForURL(/after=/);
    expect(await page.getByRole('table').getByRole('caption').textContent()).toBe(
      'Showing 26–41 of 41 users',
    );
    await page.getByRole('link', { name: 'Member 30' }).click();
    await page.getByRole('button', { name: 'Deactivate Member 30' }).click();
    await page.waitForURL(/\/users\/[0-9a-f-]+$/);
    expect(await page.getByRole('status').first().textContent()).toContain('User deactivated.');
    await page.context().close();
  });

  it('with JavaScript: updates in place, announces, keeps the URL, remembers columns, and passes axe', async () => {
    const page = await adminPage({ javaScriptEnabled: true });
    const watch = await watchPage(page);
    await page.goto(`${server.url}/users`);
    expect(await axeViolations(page)).toEqual([]);
    const before = await page.evaluate(() => performance.getEntriesByType('navigation').length);
    await page.getByLabel('Search name or email').focus();
    await page.keyboard.type('member 2');
    await expect
      .poll(() => page.locator('#list-status').textContent())
      .toBe('Sorted by name, A to Z. Showing 1–10 of 10 users');
    expect(page.url()).toContain('q=member+2');
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(before);
    expect(await axeViolations(page)).toEqual([]);

    // The Columns menu of the toolbar.
    await page.locator('summary', { hasText: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Email' }).uncheck();
    await expect.poll(() => page.locator('td[data-column="email"]').first().isVisible()).toBe(false);
    await page.reload();
    await expect.poll(() => page.locator('td[data-column="email"]').first().isVisible()).toBe(false);
    await page.locator('summary', { hasText: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Email' }).check();
    expect(await page.locator('td[data-column="email"]').first().isVisible()).toBe(true);

    await page.goto(`${server.url}/users?tab=deactivated`);
    expect(await axeViolations(page)).toEqual([]);
    await expectNoFaults(watch, { server });
    await page.context().close();
  });
});
