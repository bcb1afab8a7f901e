import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { encryptSecret } from '../../src/auth/two-factor/secret-box';
import { axeViolations, chromiumPath, setUpBrowser, tabTo } from '../helpers/browser';
import { startOidcIdp } from '../helpers/oidc-idp';

const pages = setUpBrowser({ admin: true });
const { server, browser } = pages;

// A person of a claimed domain signs in to the console with their company's login, in Chromium:
// the address first, the provider, and back signed in (the session cookie is SameSite=Strict,
// so the way back must end on a page of ours, not a redirect from the provider's).
describe.skipIf(!chromiumPath)('single sign-on in Chromium', () => {
  let idp: Awaited<ReturnType<typeof startOidcIdp>>;
  const providerId = randomUUID();
  beforeAll(async () => {
    idp = await startOidcIdp({
      clientId: 'gatehouse',
      clientSecret: 'the browser test secret',
      redirectUris: [`${server.url}/sso/${providerId}/oidc/callback`],
    });
    await server.db
      .insertInto('identity_providers')
      .values({
        id: providerId,
        name: 'Corp Entra',
        kind: 'oidc',
        issuer: idp.issuer,
        client_id: 'gatehouse',
        client_secret_sealed: encryptSecret(server.system.config.secretKey, 'the browser test secret'),
        jit: true,
        jit_role_id: await builtinRoleId(server.db, 'viewer'),
        jit_project_id: await defaultProjectId(server.db),
      })
      .execute();
    await server.db
      .insertInto('sso_domains')
      .values({ domain: 'corp.example', provider_id: providerId })
      .execute();
  });
  afterAll(() => idp?.close());

  it('the address alone, by keyboard, goes to the provider and comes back signed in', async () => {
    idp.signInAs({ sub: 'entra-erin', email: 'erin@corp.example', name: 'Erin Entra', amr: ['pwd', 'mfa'] });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await tabTo(page, 'Email address');
    await page.keyboard.type('erin@corp.example');
    await page.keyboard.press('Enter');
    // Through the provider and our continue page (which moves on by itself) to the home page.
    await page.getByText('Erin Entra').first().waitFor();
    expect(page.url()).toBe(`${server.url}/`);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
