import { randomBytes } from 'node:crypto';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultProjectId } from '../../src/access/grants';
import { writeAudit } from '../../src/audit/write';
import {
  ADA,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  signInWithForm,
  watchPage,
} from '../helpers/browser';
import { bind, FIXTURE_PASSWORD, fixtureHash, makeUser } from '../helpers/fixtures';

const { server, browser } = setUpBrowser({ admin: true });
const DAY = 86_400_000;
let plain: { id: string; email: string; name: string };

/** The total a list page states in its caption ("Showing 1–3 of 3 users"), or 0 when none match. */
async function listTotal(page: Page): Promise<number> {
  const caption = (await page.locator('[id$="-caption"]').first().textContent()) ?? '';
  const range = /of ((?:about )?[\d,]+) /.exec(caption);
  if (range) return Number((range[1] as string).replace(/^about /, '').replaceAll(',', ''));
  if (/No \w+ match/.test(caption)) return 0;
  throw new Error(`no total in "${caption}"`);
}

/** The count links of the home page: each one's accessible name, which starts with its number. */
const countLinks = (page: Page) =>
  page.locator('.stat-grid a').evaluateAll((links) =>
    links.map((a) => ({
      name: (a.textContent ?? '').replace(/\s+/g, ' ').trim(),
      href: a.getAttribute('href'),
    })),
  );

async function signedIn(email: string, password: string, options: BrowserContextOptions = {}) {
  const page = await (await browser.newContext(options)).newPage();
  await signInWithForm(page, server.url, email, password);
  return page;
}

/** Whether the page scrolls sideways (as test/browser/reflow.test.ts measures it). */
const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe.skipIf(!chromiumPath)('the home page in Chromium', () => {
  beforeAll(async () => {
    const db = server.db;
    const projectId = await defaultProjectId(db);
    const now = Date.now();
    const hash = await fixtureHash();
    const people = await db
      .insertInto('users')
      .values([
        {
          name: 'Locked Out',
          email: 'locked@home.test',
          password_hash: hash,
          locked_until: new Date(now + DAY),
        },
        {
          name: 'Long Gone',
          email: 'gone@home.test',
          password_hash: hash,
          last_login_at: new Date(now - 120 * DAY),
        },
        {
          name: 'Leaving Soon',
          email: 'leaving@home.test',
          password_hash: hash,
          access_expires_at: new Date(now + 3 * DAY),
          last_login_at: new Date(now - DAY),
        },
        {
          name: 'Temporary Editor',
          email: 'temp@home.test',
          password_hash: hash,
          last_login_at: new Date(now),
        },
      ])
      .returning(['id', 'name'])
      .execute();
    const temp = people.find((p) => p.name === 'Temporary Editor');
    await bind(db, { userId: temp?.id, roleKey: 'editor', projectId, expiresAt: new Date(now + 2 * DAY) });
    plain = await makeUser(db, { role: 'viewer', projectId, name: 'Plain Viewer', email: 'plain@home.test' });
    const team = await db
      .insertInto('teams')
      .values({ name: 'Documentation writers and reviewers of the handbook' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: plain.id, is_admin: true })
      .execute();

    const invitation = (email: string, days: number) => ({
      email,
      project_id: projectId,
      role_name: 'Viewer',
      invited_by_label: `Ada Lovelace (${ADA.email})`,
      language: 'en' as const,
      token_hash: randomBytes(32),
      sent_at: new Date(now),
      expires_at: new Date(now + days * DAY),
    });
    await db
      .insertInto('invitations')
      .values([invitation('soon@home.test', 2), invitation('later@home.test', 20)])
      .execute();
    await db
      .insertInto('mail_messages')
      .values({
        kind: 'test',
        recipient: 'nobody@home.test',
        subject: 'Hello',
        state: 'bounced',
        reason: 'mailbox does not exist',
        idempotency_key: 'home-browser-1',
      })
      .execute();
    const locked = people.find((p) => p.name === 'Locked Out');
    await writeAudit(db, server.system, {
      action: 'auth.lockout',
      outcome: 'success',
      actor: { id: null, label: 'test' },
      target: { type: 'user', id: locked?.id ?? '', label: 'locked@home.test' },
    });
  });

  it('each count is one link named by its number and words, and equals the total of the list it opens', async () => {
    const page = await signedIn(ADA.email, ADA.password);
    const watch = await watchPage(page);
    await page.goto(`${server.url}/`);
    const links = await countLinks(page);
    expect(links.map((l) => l.href)).toEqual(
      expect.arrayContaining([
        '/users?status=active',
        '/invitations?state=pending',
        '/invitations?expiring=7',
        '/users?status=locked',
        '/users?ending=7',
        '/email?state=bounced',
        '/users?inactive=90',
      ]),
    );
    expect(await page.locator('.stat-grid > li').count()).toBe(6);
    for (const { name } of links) {
      expect(name).toMatch(/^(about )?[\d,]+ \w/);
      await page.goto(`${server.url}/`);
      const link = page.getByRole('link', { name, exact: true });
      expect(await link.count(), name).toBe(1);
      await link.click();
      await page.waitForURL((url) => url.pathname !== '/');
      const shown = Number(
        name
          .replace(/^about /, '')
          .split(' ')[0]
          ?.replaceAll(',', ''),
      );
      expect(await listTotal(page), `${name} → ${page.url()}`).toBe(shown);
    }
    const byHref = Object.fromEntries(links.map((l) => [l.href, l.name]));
    expect(byHref['/users?status=locked']).toBe('1 locked account');
    expect(byHref['/invitations?state=pending']).toBe('2 pending invitations');
    expect(byHref['/invitations?expiring=7']).toBe('1 invitation expires within 7 days');
    expect(byHref['/users?ending=7']).toBe('2 accounts whose access or a role ends within 7 days');
    expect(byHref['/email?state=bounced']).toBe('1 bounced email');
    // 2FA is not required in this account: said, with the way to Settings, rather than counted.
    await page.goto(`${server.url}/`);
    expect(await page.locator('.stat-note').textContent()).toContain(
      'Two-factor authentication is not required',
    );
    expect(await page.getByRole('link', { name: 'Require it in Settings' }).getAttribute('href')).toBe(
      '/settings',
    );
    // The latest security event links to its page.
    await page.getByRole('link', { name: /^Account locked after failed sign-ins\s*, event \d+$/ }).click();
    await page.waitForURL(/\/audit\/events\/\d+$/);
    await expectNoFaults(watch, { server, console: 'all' });
    await page.context().close();
  });

  it('works without JavaScript: a count is a plain link to its list', async () => {
    const page = await signedIn(ADA.email, ADA.password, { javaScriptEnabled: false });
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: '1 locked account', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/users' && url.searchParams.get('status') === 'locked');
    expect(await listTotal(page)).toBe(1);
    await page.context().close();
  });

  it('passes axe, light and dark, for an administrator and for someone without admin rights', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const admin = await signedIn(ADA.email, ADA.password, { colorScheme });
      await admin.goto(`${server.url}/`);
      expect(await admin.getByRole('heading', { level: 2, name: 'What needs attention' }).isVisible()).toBe(
        true,
      );
      expect(await admin.getByRole('heading', { level: 2, name: 'Latest security events' }).isVisible()).toBe(
        true,
      );
      expect(await axeViolations(admin), `/ as admin (${colorScheme})`).toEqual([]);
      await admin.context().close();

      const person = await signedIn(plain.email, FIXTURE_PASSWORD, { colorScheme });
      expect(await person.getByRole('heading', { level: 2, name: 'Your projects' }).isVisible()).toBe(true);
      expect(await person.locator('.stat-grid').count()).toBe(0);
      expect(
        await person
          .getByRole('link', { name: 'Documentation writers and reviewers of the handbook' })
          .count(),
      ).toBe(1);
      expect(await axeViolations(person), `/ without admin rights (${colorScheme})`).toEqual([]);
      await person.context().close();
    }
    expect(server.errors).toEqual([]);
  });

  it('reflows at 320 px: no sideways scrolling, the counts one under another', async () => {
    const options = { viewport: { width: 320, height: 640 } };
    const admin = await signedIn(ADA.email, ADA.password, options);
    expect(await scrollsSideways(admin)).toBe(false);
    const boxes = await admin
      .locator('.stat-grid > li')
      .evaluateAll((items) =>
        items.map((li) => li.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })),
      );
    expect(new Set(boxes.map((b) => Math.round(b.left))).size).toBe(1);
    for (const box of boxes) expect(box.right).toBeLessThanOrEqual(320);
    await admin.context().close();
    const person = await signedIn(plain.email, FIXTURE_PASSWORD, options);
    expect(await scrollsSideways(person)).toBe(false);
    await person.context().close();
  });
});
