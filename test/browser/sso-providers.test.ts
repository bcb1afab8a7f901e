import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  ADA,
  activeName,
  axeViolations,
  chromiumPath,
  expectNoFaults,
  setUpBrowser,
  tabTo,
  watchPage,
} from '../helpers/browser';

const { server, browser } = setUpBrowser({ admin: true });

/** A self-signed P-256 certificate for idp.example.com, valid 2020 to 2099. */
const CERT = `-----BEGIN CERTIFICATE-----
MIIBHDCBxAIBAjAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9pZHAuZXhhbXBsZS5j
b20wIBcNMjAwMTAxMDAwMDAwWhgPMjA5OTEyMzEwMDAwMDBaMBoxGDAWBgNVBAMM
D2lkcC5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFTEa/x/
9jzq74fURKx6qRKjxJpGbsbzD+iGz+L5qDX6ZgvV8kMANrCZXJI19OJCf/7eFn5W
04xnsLc8RU9LeiUwCgYIKoZIzj0EAwIDRwAwRAIgNWImXWwCqWDlCAU3wFodBPbt
zfEvbZuuET18IO1IOBwCIDmJvXIvtN6HYtNt1/zsPGU61Y3j9MUVqE1p4QpU3Kzq
-----END CERTIFICATE-----`;

const METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://adfs.corp.example.com/adfs/services/trust">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${CERT.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.corp.example.com/adfs/ls/"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

/** Ada signs in with her password (the sign-in page also offers single sign-on: the exact button). */
async function signIn(page: Page) {
  await page.goto(`${server.url}/login`);
  await page.getByRole('textbox', { name: 'Email address' }).fill(ADA.email);
  await page.getByLabel('Password').fill(ADA.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/');
}

/** Presses Tab until a radio button has focus (its name is its wrapping label's). */
async function tabToRadio(page: Page, limit = 40) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === 'radio'))
      return;
  }
  throw new Error('Tab never reached a radio button');
}

/** Whether the page scrolls sideways, and what sticks out (as in reflow.test.ts). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const culprits: string[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.right <= width + 0.5 || box.width === 0) continue;
      if (el.parentElement?.closest('.table-scroll, [role="region"]')) continue;
      culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}`);
    }
    return { scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 8) };
  });

const ids: string[] = [];

describe.skipIf(!chromiumPath)('the Single sign-on area in Chromium', () => {
  it('adds an OpenID Connect provider by keyboard (an error first), tests its connection in place; axe clean', async () => {
    const page = await browser.newPage();
    const watch = await watchPage(page);
    await signIn(page);
    await page.goto(`${server.url}/sso`);
    await page.getByRole('heading', { level: 1, name: 'Single sign-on' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await tabTo(page, 'Add an identity provider');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Add an identity provider' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // OpenID Connect is chosen already.
    await tabTo(page, 'Continue');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Add an identity provider: OpenID Connect' }).waitFor();
    expect(await page.getByLabel('Identity provider metadata (XML)').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // Sent empty: the summary takes focus, each message is by its field.
    await tabTo(page, 'Add the identity provider');
    await page.keyboard.press('Enter');
    await page.getByText('There is a problem').waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    expect(await page.locator('#issuer-error').textContent()).toContain('Enter the issuer URL');
    expect(await axeViolations(page)).toEqual([]);

    // Gatehouse's own OpenID provider stands in for the company's: its discovery answers.
    await tabTo(page, 'Name');
    await page.keyboard.type('Company IdP');
    await tabTo(page, 'Issuer URL');
    await page.keyboard.type(server.url);
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Client id');
    await page.keyboard.type('gatehouse-at-company');
    await page.keyboard.press('Tab');
    expect(await activeName(page)).toBe('Client secret');
    await page.keyboard.type('a client secret from the IdP');
    await tabTo(page, 'Email domains');
    await page.keyboard.type('company.example.com');
    await tabTo(page, 'Add the identity provider');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Company IdP' }).waitFor();
    await page.getByText('Company IdP added.').waitFor();
    ids.push(new URL(page.url()).pathname.split('/').at(-1) as string);
    expect(await page.content()).not.toContain('a client secret from the IdP');
    await page.getByText(`${server.url}/sso/${ids[0]}/oidc/callback`).waitFor();
    const tryIt = page.getByRole('link', { name: 'Try a sign-in in a new window' });
    expect(await tryIt.getAttribute('target')).toBe('_blank');
    expect(await tryIt.getAttribute('rel')).toBe('noopener');
    expect(await axeViolations(page)).toEqual([]);

    // htmx puts the result in the live region; focus stays on the button.
    await tabTo(page, 'Test connection');
    await page.keyboard.press('Enter');
    await page.locator('#connection-result').getByText('The connection works').waitFor();
    expect(await page.locator('#connection-result').getAttribute('role')).toBe('status');
    expect(await page.locator('#connection-result').textContent()).toContain(`${server.url}/oidc/auth`);
    expect(await activeName(page)).toBe('Test connection');
    expect(page.url()).toBe(`${server.url}/sso/${ids[0]}`);
    expect(await axeViolations(page)).toEqual([]);

    await expectNoFaults(watch, { server, console: 'unexpected' });
    await page.close();
  });

  it('adds a SAML provider by keyboard from pasted metadata, and deletes one in the dialog', async () => {
    const page = await browser.newPage();
    const watch = await watchPage(page);
    await signIn(page);
    await page.goto(`${server.url}/sso/new`);
    await tabToRadio(page);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /SAML 2\.0/ }).isChecked()).toBe(true);
    await tabTo(page, 'Continue');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Add an identity provider: SAML 2.0' }).waitFor();
    expect(await page.getByLabel('Issuer URL').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await tabTo(page, 'Name');
    await page.keyboard.type('Corporate AD FS');
    await tabTo(page, 'Identity provider metadata (XML)');
    await page.keyboard.insertText(METADATA);
    await tabTo(page, 'Email domains');
    await page.keyboard.type('corp.example.com');
    await tabTo(page, 'Add the identity provider');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Corporate AD FS' }).waitFor();
    const id = new URL(page.url()).pathname.split('/').at(-1) as string;
    ids.push(id);
    await page.getByText(`${server.url}/sso/${id}/saml/acs`).waitFor();
    expect(
      await page.getByRole('link', { name: 'Gatehouse’s SAML metadata for this provider' }).count(),
    ).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    await tabTo(page, 'Test connection');
    await page.keyboard.press('Enter');
    await page.locator('#connection-result').getByText('CN=idp.example.com').waitFor();
    expect(await activeName(page)).toBe('Test connection');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/sso`);
    await page.getByRole('cell', { name: 'corp.example.com' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // Deleting is asked first, in the dialog; Escape would give focus back to the link.
    await page.goto(`${server.url}/sso/${ids[0]}`);
    await tabTo(page, 'Delete');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Delete Company IdP?' }).waitFor();
    expect(await activeName(page)).toBe('Delete the identity provider');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await page.getByText('Company IdP deleted').waitFor();
    expect(new URL(page.url()).pathname).toBe('/sso');
    ids.shift();
    await expectNoFaults(watch, { server, console: 'unexpected' });
    await page.close();
  });

  it('reflows at 320 CSS pixels: no page scrolls sideways', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 720 } });
    const page = await context.newPage();
    await signIn(page);
    const [saml] = ids;
    const paths = [
      '/sso',
      '/sso/new',
      '/sso/new?kind=oidc',
      '/sso/new?kind=saml',
      `/sso/${saml}`,
      `/sso/${saml}/edit`,
      `/sso/${saml}/delete`,
    ];
    for (const path of paths) {
      await page.goto(`${server.url}${path}`);
      const result = await overflow(page);
      expect
        .soft(result.scrollWidth, `${path}: ${result.culprits.join(', ')}`)
        .toBeLessThanOrEqual(result.clientWidth);
    }
    // With a test's result and a refused form.
    await page.goto(`${server.url}/sso/${saml}`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('#connection-result').getByText('CN=idp.example.com').waitFor();
    const tested = await overflow(page);
    expect
      .soft(tested.scrollWidth, `test result: ${tested.culprits.join(', ')}`)
      .toBeLessThanOrEqual(tested.clientWidth);
    await page.goto(`${server.url}/sso/new?kind=oidc`);
    await page.getByRole('button', { name: 'Add the identity provider' }).click();
    await page.getByText('There is a problem').waitFor();
    const refused = await overflow(page);
    expect
      .soft(refused.scrollWidth, `refused form: ${refused.culprits.join(', ')}`)
      .toBeLessThanOrEqual(refused.clientWidth);
    await context.close();
  });
});
