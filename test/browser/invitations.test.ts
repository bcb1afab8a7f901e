import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  ADA,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  signInWithForm,
  tabTo,
  watchPage,
} from '../helpers/browser';
import { oathtool } from '../helpers/oathtool';

const PASSWORD = 'a quiet harbour at dawn';
const { server, browser, adminPage: signedInAdminPage } = setUpBrowser({ admin: true });

/**
 * The invitee enrols TOTP when the account requires 2FA; the admin here has none, so the
 * requirement is on only while an invitee signs up.
 */
async function requireTwoFactor(on: boolean) {
  await server.db.updateTable('account_settings').set({ require_two_factor: on }).execute();
}

async function expectAccessible(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

describe.skipIf(!chromiumPath)('invitations in Chromium', () => {
  /** An invitation sent through the app's own dialog page; its link from the outbox. */
  async function invite(email: string, role: string, language: string) {
    const adminPage = await signedInAdminPage();
    await adminPage.goto(`${server.url}/invitations/new`);
    await adminPage.getByLabel('Email addresses').fill(email);
    await adminPage.getByLabel('Role').selectOption({ label: role });
    await adminPage.getByLabel('Email language').selectOption(language);
    await adminPage.getByRole('button', { name: 'Send invitations' }).click();
    await adminPage.getByRole('heading', { level: 1, name: '1 invitation sent' }).waitFor();
    const link =
      /https?:\/\/\S+\/invite\/[A-Za-z0-9_-]{43}/.exec(server.mailer.messages.at(-1)?.text ?? '')?.[0] ?? '';
    return { adminPage, link };
  }

  it('from the invite dialog to the email in the outbox to the signed-in home page, by keyboard', async () => {
    // The admin invites, with JavaScript: the dialog opens, is accessible, and shows the result.
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    const adminWatch = await watchPage(admin);
    await signInWithForm(admin, server.url, ADA.email, ADA.password);
    await admin.goto(`${server.url}/invitations`);
    await expectAccessible(admin);
    await tabTo(admin, 'Invite users');
    await admin.keyboard.press('Enter');
    const dialog = admin.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expectAccessible(admin);
    await admin.getByLabel('Email addresses').fill('grace@example.com');
    await admin.getByLabel('Role').selectOption({ label: 'Editor' });
    await admin.getByLabel('Email language').selectOption('fr');
    await admin.getByRole('button', { name: 'Send invitations' }).click();
    await expect.poll(() => dialog.getByRole('heading').first().textContent()).toBe('1 invitation sent');
    await expectAccessible(admin);
    await expectNoFaults(adminWatch, { console: 'all' });

    const mail = server.mailer.messages.at(-1);
    expect(mail?.to).toBe('grace@example.com');
    const link = /https?:\/\/\S+\/invite\/[A-Za-z0-9_-]{43}/.exec(mail?.text ?? '')?.[0] ?? '';
    expect(link).not.toBe('');

    // The invitee, by keyboard alone, in French (axe needs the page's JavaScript; the flow
    // without it is the next test's and the integration tests').
    const context = await browser.newContext();
    const page = await context.newPage();
    await requireTwoFactor(true);
    await page.goto(link);
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await expectAccessible(page);
    await tabTo(page, 'Accepter l’invitation');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/sign-up$/);
    await expectAccessible(page);
    await tabTo(page, 'Votre nom');
    await page.keyboard.type('Grace Hopper');
    await tabTo(page, 'Mot de passe');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('Utilisez au moins 12 caractères');
    await expectAccessible(page);
    await tabTo(page, 'Mot de passe');
    await page.keyboard.type(PASSWORD);
    await tabTo(page, 'Confirmez le mot de passe');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/two-factor$/);
    await expectAccessible(page);
    expect(await page.locator('.qr svg').count()).toBe(1);
    const key = (await page.locator('.totp-key').textContent()) ?? '';
    await tabTo(page, 'Code à 6 chiffres');
    await page.keyboard.type(oathtool(key));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Enregistrez vos codes de secours' }).waitFor();
    expect(await page.locator('ol.codes li').count()).toBe(10);
    await expectAccessible(page);
    await tabTo(page, 'J’ai enregistré mes codes : terminer');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.textContent('body')).toContain('Grace Hopper');
    await expectAccessible(page);

    const user = await server.db
      .selectFrom('users')
      .select(['id', 'email_verified_at', 'totp_secret'])
      .where('email', '=', 'grace@example.com')
      .executeTakeFirstOrThrow();
    expect(user.email_verified_at).not.toBeNull();
    expect(user.totp_secret).not.toBeNull();
    const binding = await server.db
      .selectFrom('role_bindings as b')
      .innerJoin('roles as r', 'r.id', 'b.role_id')
      .select('r.name')
      .where('b.user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(binding.name).toBe('Editor');
    await requireTwoFactor(false);

    // The admin's list passes axe too, and the dialog remembers the last language and "hide".
    await admin.goto(`${server.url}/invitations`);
    await expectAccessible(admin);
    await admin.getByRole('link', { name: 'Invite users' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await admin.getByLabel('Email language').inputValue()).toBe('fr');
    await admin.getByLabel('Hide my name and email').check();
    await admin.getByLabel('Email addresses').fill('hedy@example.com');
    await admin.getByLabel('Role').selectOption({ label: 'Viewer' });
    await admin.getByRole('button', { name: 'Send invitations' }).click();
    await expect.poll(() => dialog.getByRole('heading').first().textContent()).toBe('1 invitation sent');
    await admin.reload();
    await admin.getByRole('link', { name: 'Invite users' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await admin.getByLabel('Hide my name and email').isChecked()).toBe(true);
    expect(await admin.getByLabel('Email language').inputValue()).toBe('fr');
    await context.close();
    await adminContext.close();
  });

  it('signs up without JavaScript', async () => {
    const { link } = await invite('alan@example.com', 'Viewer', 'es');
    await requireTwoFactor(true);
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(link);
    await page.getByRole('link', { name: 'Aceptar la invitación' }).click();
    await page.getByLabel('Tu nombre').fill('Alan Turing');
    await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirma la contraseña').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.waitForURL(/\/two-factor$/);
    const key = (await page.locator('.totp-key').textContent()) ?? '';
    await page.getByLabel('Código de 6 dígitos').fill(oathtool(key));
    await page.getByRole('button', { name: 'Verificar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Guarda tus códigos de recuperación' }).waitFor();
    expect(await page.locator('ol.codes li').count()).toBe(10);
    await page.getByRole('button', { name: 'He guardado mis códigos: terminar' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    expect(await page.textContent('body')).toContain('Alan Turing');
    await requireTwoFactor(false);
  });

  it('declines and shows the unusable-link pages accessibly, without JavaScript', async () => {
    const { adminPage, link } = await invite('linus@example.com', 'Viewer', 'de');
    await expectAccessible(adminPage);
    const withScript = await (await browser.newContext()).newPage();
    await withScript.goto(link);
    await expectAccessible(withScript);
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(link);
    await page.getByRole('button', { name: 'Ablehnen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Einladung abgelehnt' }).waitFor();
    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Diese Einladung wurde abgelehnt',
    );
    await withScript.goto(link);
    await expectAccessible(withScript);
    await withScript.goto(`${server.url}/invite/${'x'.repeat(43)}`);
    await expectAccessible(withScript);
    const invitation = await server.db
      .selectFrom('invitations')
      .select('id')
      .where('email', '=', 'linus@example.com')
      .executeTakeFirstOrThrow();
    await adminPage.goto(`${server.url}/invitations/${invitation.id}`);
    expect(await adminPage.textContent('body')).toContain('Declined');
    await expectAccessible(adminPage);
  });
});
