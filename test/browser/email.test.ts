import { describe, expect, it } from 'vitest';
import { ADA, axeViolations, chromiumPath, setUpBrowser } from '../helpers/browser';

const { server, adminPage } = setUpBrowser({ admin: true });

describe.skipIf(!chromiumPath)('the Email page and an email that failed, in Chromium', () => {
  it('lists what became of each email, filters by state, and passes axe; the user page says it too', async () => {
    const page = await adminPage();
    await page.goto(`${server.url}/invitations/new`);
    await page.getByLabel('Email addresses').fill('ghost@example.com');
    await page.getByLabel('Role').selectOption({ label: 'Viewer' });
    await page.getByRole('button', { name: 'Send invitations' }).click();
    await page.getByRole('heading', { level: 1, name: '1 invitation sent' }).waitFor();
    // The provider later says it bounced (as its webhook would).
    await server.db
      .updateTable('mail_messages')
      .set({ state: 'bounced', reason: 'mailbox does not exist' })
      .where('recipient', '=', 'ghost@example.com')
      .execute();

    await page.goto(`${server.url}/email`);
    const row = page.getByRole('row', { name: /ghost@example\.com/ });
    await expect.poll(() => row.textContent()).toContain('Invitation email bounced: mailbox does not exist');
    expect(await axeViolations(page)).toEqual([]);
    // The State menu of the toolbar: a choice applies at once.
    await page.locator('summary', { hasText: 'State' }).click();
    await page.getByRole('group', { name: 'State' }).getByLabel('Delivered').check();
    await expect.poll(() => page.locator('#list-status').textContent()).toContain('No emails match');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/invitations`);
    await page.getByRole('link', { name: 'ghost@example.com', exact: true }).click();
    await page.getByText('Invitation email bounced: mailbox does not exist').waitFor();
    expect(await page.getByRole('link', { name: 'Resend the invitation to ghost@example.com' }).count()).toBe(
      1,
    );
    expect(await axeViolations(page)).toEqual([]);

    const me = await server.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', ADA.email)
      .executeTakeFirstOrThrow();
    await page.goto(`${server.url}/users/${me.id}`);
    await page.getByText('Last email').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});
