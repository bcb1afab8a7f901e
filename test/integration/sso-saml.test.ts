import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/database';
import { makeUser } from '../helpers/fixtures';
import { Browser } from '../helpers/oidc-browser';
import {
  ATTACKER_KEYS,
  readAuthnRequest,
  type SamlResponseOptions,
  samlProviderColumns,
  samlResponse,
} from '../helpers/saml-idp';
import { startServer } from '../helpers/server';

// The whole SAML sign-in through the console: the address typed in, the AuthnRequest the
// browser carries to the IdP, the signed answer the IdP's page posts back (cross-site, so no
// cookie comes with it), and the browser's own GET that finishes. The answers are made by the
// tests' identity provider (test/helpers/saml-idp.ts), signed with its key; the module's own
// refusals are tested one by one in saml.test.ts.

describe(`single sign-on through a SAML identity provider (${databaseKind})`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const providerId = randomUUID();
  let platform: string;

  beforeAll(async () => {
    server = await startServer();
    await makeUser(server.db, { role: 'account_admin', email: 'owner@example.com' });
  });
  afterAll(() => server?.close());

  beforeEach(async () => {
    await server.db.deleteFrom('identity_providers').execute();
    await server.db.deleteFrom('teams').execute();
    await server.db
      .insertInto('identity_providers')
      .values({ id: providerId, name: 'Corp Entra', ...samlProviderColumns(), jit: true })
      .execute();
    await server.db
      .insertInto('sso_domains')
      .values({ domain: 'saml.example', provider_id: providerId })
      .execute();
    platform = (
      await server.db
        .insertInto('teams')
        .values({ name: 'Platform' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await server.db
      .insertInto('sso_group_teams')
      .values({ provider_id: providerId, group_name: 'platform-engineers', team_id: platform })
      .execute();
  });

  const headers = () => ({ 'content-type': 'application/x-www-form-urlencoded', origin: server.url });

  /** Typed in at the console, to the IdP: the AuthnRequest the browser carries there. */
  async function start(email: string) {
    const browser = new Browser(server.url);
    const started = await browser.request('/login', {
      method: 'POST',
      headers: headers(),
      body: new URLSearchParams({ email, password: '' }).toString(),
    });
    expect(started.status).toBe(200);
    const onward = /^0; url=(.+)$/.exec(started.headers.get('refresh') ?? '')?.[1] as string;
    const request = readAuthnRequest(onward);
    expect(request.acsUrl).toBe(`${server.url}/sso/${providerId}/saml/acs`);
    return { browser, request };
  }

  /** The IdP's page posts the answer (from its own origin), then the browser follows on. */
  async function answer(browser: Browser, form: Record<string, string>) {
    const posted = await browser.request(`/sso/${providerId}/saml/acs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://idp.example.test' },
      body: new URLSearchParams(form).toString(),
    });
    if (posted.status !== 303) return posted;
    return browser.request(posted.headers.get('location') as string);
  }

  const goodAnswer = (
    request: ReturnType<typeof readAuthnRequest>,
    extra: Partial<SamlResponseOptions> = {},
  ) => ({
    SAMLResponse: samlResponse({
      request,
      nameId: 'sam@saml.example',
      attributes: {
        displayName: 'Sam Saml',
        groups: ['platform-engineers', 'unmapped'],
        'http://schemas.microsoft.com/claims/authnmethodsreferences': [
          'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
          'http://schemas.microsoft.com/claims/multipleauthn',
        ],
      },
      ...extra,
    }),
    RelayState: request.relayState ?? '',
  });

  it('serves Gatehouse’s service-provider metadata for the IdP’s administrator', async () => {
    const metadata = await new Browser(server.url).request(`/sso/${providerId}/saml/metadata`);
    expect(metadata.headers.get('content-type')).toContain('application/samlmetadata+xml');
    const xml = await metadata.text();
    expect(xml).toContain(`entityID="${server.url}/sso/${providerId}/saml/metadata"`);
    expect(xml).toContain(`Location="${server.url}/sso/${providerId}/saml/acs"`);
  });

  it('signs a person in just in time, with the mapped team and the IdP’s second factor', async () => {
    const { browser, request } = await start('sam@saml.example');
    const done = await answer(browser, goodAnswer(request));
    expect(done.status).toBe(200);
    expect(done.headers.get('refresh')).toBe('0; url=/');
    const home = await browser.request('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Sam Saml');
    const user = await server.db
      .selectFrom('users')
      .select(['id', 'source'])
      .where('email', '=', 'sam@saml.example')
      .executeTakeFirstOrThrow();
    expect(user.source).toBe('sso');
    const teams = await server.db
      .selectFrom('team_members')
      .select(['team_id', 'source'])
      .where('user_id', '=', user.id)
      .execute();
    expect(teams).toEqual([{ team_id: platform, source: 'sso' }]);
    const event = await server.db
      .selectFrom('audit_events')
      .select('after')
      .where('action', '=', 'sso.sign_in')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.after).toMatchObject({ method: 'saml', providerMfa: true, accountCreated: true });
  });

  it('refuses a forged, replayed or misaddressed answer, and one brought by another browser', async () => {
    const refusedWith = async (
      extra:
        | Partial<SamlResponseOptions>
        | ((r: ReturnType<typeof readAuthnRequest>) => Record<string, string>),
    ) => {
      const { browser, request } = await start('sam@saml.example');
      const form = typeof extra === 'function' ? extra(request) : goodAnswer(request, extra);
      const refused = await answer(browser, form);
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      expect((await browser.request('/')).status).toBe(303);
      return refused;
    };
    await refusedWith({ keys: ATTACKER_KEYS });
    await refusedWith({ sign: 'none' });
    await refusedWith({ tamper: (xml) => xml.replace('sam@saml.example', 'root@saml.example') });
    await refusedWith({ audience: 'https://someone-else.example/metadata' });
    await refusedWith({ notOnOrAfter: new Date(Date.now() - 10 * 60_000) });

    // Replayed: the first use signs in, the same answer again is refused.
    const first = await start('sam@saml.example');
    const form = goodAnswer(first.request);
    expect((await answer(first.browser, form)).status).toBe(200);
    const again = await answer(new Browser(server.url), form);
    expect(again.status).toBe(403);

    // A good answer carried into another browser: the checks pass at the consumer, but the
    // finishing GET has no cookie of the browser that asked.
    const { request } = await start('sam@saml.example');
    const stranger = new Browser(server.url);
    const stolen = await answer(stranger, goodAnswer(request));
    expect(stolen.status).toBe(400);
    expect((await stranger.request('/')).status).toBe(303);
  });
});
