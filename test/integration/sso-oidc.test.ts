import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret } from '../../src/auth/two-factor/totp';
import { createApplication } from '../../src/oidc/applications';
import { databaseKind } from '../helpers/database';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures';
import { Browser } from '../helpers/oidc-browser';
import { type IdpPerson, startOidcIdp } from '../helpers/oidc-idp';
import { startServer } from '../helpers/server';

// Single sign-on into Gatehouse through a real OpenID Connect provider (oidc-provider on
// 127.0.0.1) and openid-client on our side: the browser's part is played by hand, across both
// origins, as a browser follows redirects and our continue page's Refresh.

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe(`single sign-on through an OpenID Connect provider (${databaseKind})`, () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let idp: Awaited<ReturnType<typeof startOidcIdp>>;
  const providerId = randomUUID();
  let engineering: string;
  let support: string;

  beforeAll(async () => {
    server = await startServer();
    // Someone manages the account (removing a membership checks that someone still does).
    await makeUser(server.db, { role: 'account_admin', email: 'owner@example.com' });
    idp = await startOidcIdp({
      clientId: 'gatehouse',
      clientSecret: 'a client secret of the test provider',
      redirectUris: [`${server.url}/sso/${providerId}/oidc/callback`],
    });
  });
  afterAll(async () => {
    await idp?.close();
    await server?.close();
  });

  beforeEach(async () => {
    await server.db.deleteFrom('identity_providers').execute();
    await server.db.deleteFrom('team_members').execute();
    await server.db.deleteFrom('teams').execute();
    await server.db
      .insertInto('identity_providers')
      .values({
        id: providerId,
        name: 'Corp Okta',
        kind: 'oidc',
        issuer: idp.issuer,
        client_id: 'gatehouse',
        client_secret_sealed: encryptSecret(
          server.system.config.secretKey,
          'a client secret of the test provider',
        ),
        jit: true,
        jit_role_id: await builtinRoleId(server.db, 'viewer'),
        jit_project_id: await defaultProjectId(server.db),
      })
      .execute();
    await server.db
      .insertInto('sso_domains')
      .values({ domain: 'corp.example', provider_id: providerId })
      .execute();
    engineering = (
      await server.db
        .insertInto('teams')
        .values({ name: 'Engineering' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    support = (
      await server.db
        .insertInto('teams')
        .values({ name: 'Support' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await server.db
      .insertInto('sso_group_teams')
      .values([
        { provider_id: providerId, group_name: 'eng', team_id: engineering },
        { provider_id: providerId, group_name: 'support', team_id: support },
      ])
      .execute();
  });

  /** Follows redirects across our origin and the provider's, and our continue page's Refresh. */
  async function travel(browser: Browser, first: Response, from = `${server.url}/login`) {
    let response = first;
    let at = from;
    for (let hops = 0; hops < 20; hops++) {
      const refresh = /^0; url=(.+)$/.exec(response.headers.get('refresh') ?? '')?.[1];
      const location = response.headers.get('location') ?? refresh;
      if (!location || (!refresh && (response.status < 300 || response.status >= 400))) return response;
      at = new URL(location, at).href;
      response = await browser.request(at);
    }
    throw new Error('too many redirects');
  }

  /** The console's sign-in page with the address only: to the provider and back. */
  async function signInThroughIdp(person: IdpPerson, typed = person.email) {
    const browser = new Browser(server.url);
    idp.signInAs(person);
    const started = await browser.request('/login', {
      ...form({ email: typed, password: '' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    });
    expect(started.status).toBe(200);
    expect(started.headers.get('refresh')).toContain(`0; url=${idp.issuer}/auth?`);
    const landed = await travel(browser, started);
    return { browser, landed };
  }

  const alice = (extra: Partial<IdpPerson> = {}): IdpPerson => ({
    sub: 'okta-alice',
    email: 'alice@corp.example',
    name: 'Alice Archer',
    groups: ['eng'],
    amr: ['pwd'],
    ...extra,
  });

  it('creates the account just in time, with the default role and the mapped teams, and signs the person in', async () => {
    const { browser, landed } = await signInThroughIdp(alice());
    expect(landed.status).toBe(200);
    const home = await browser.request('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Alice Archer');

    const user = await server.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', 'alice@corp.example')
      .executeTakeFirstOrThrow();
    expect(user.source).toBe('sso');
    expect(user.password_hash).toBeNull();
    const bindings = await server.db
      .selectFrom('role_bindings')
      .select(['role_id', 'project_id'])
      .where('user_id', '=', user.id)
      .execute();
    expect(bindings).toEqual([
      { role_id: await builtinRoleId(server.db, 'viewer'), project_id: await defaultProjectId(server.db) },
    ]);
    const memberships = await server.db
      .selectFrom('team_members')
      .select(['team_id', 'source', 'source_provider_id'])
      .where('user_id', '=', user.id)
      .execute();
    expect(memberships).toEqual([{ team_id: engineering, source: 'sso', source_provider_id: providerId }]);
    const linked = await server.db
      .selectFrom('user_identities')
      .select(['subject'])
      .where('user_id', '=', user.id)
      .execute();
    expect(linked).toEqual([{ subject: 'okta-alice' }]);
    const event = await server.db
      .selectFrom('audit_events')
      .selectAll()
      .where('action', '=', 'sso.sign_in')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event.outcome).toBe('success');
    expect(event.after).toMatchObject({
      provider: 'Corp Okta',
      accountCreated: true,
      teamsJoined: ['Engineering'],
    });
  });

  it('reconciles the memberships that came from the provider at every sign-in, and leaves those added by hand alone', async () => {
    await signInThroughIdp(alice({ groups: ['eng'] }));
    const user = await server.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'alice@corp.example')
      .executeTakeFirstOrThrow();
    // Support by hand: the provider's claims never take it away.
    await server.db.insertInto('team_members').values({ team_id: support, user_id: user.id }).execute();
    await signInThroughIdp(alice({ groups: [] }));
    const teamsOf = async () =>
      (
        await server.db
          .selectFrom('team_members')
          .select(['team_id', 'source'])
          .where('user_id', '=', user.id)
          .orderBy('source')
          .execute()
      ).map((m) => `${m.team_id === engineering ? 'Engineering' : 'Support'}:${m.source}`);
    expect(await teamsOf()).toEqual(['Support:manual']);
    await signInThroughIdp(alice({ groups: ['eng', 'support', 'unmapped'] }));
    expect((await teamsOf()).sort()).toEqual(['Engineering:sso', 'Support:manual']);
    const last = await server.db
      .selectFrom('audit_events')
      .select('after')
      .where('action', '=', 'sso.sign_in')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last.after).toMatchObject({ teamsJoined: ['Engineering'] });
  });

  it('links an existing account by its address, and refuses what it must', async () => {
    const existing = await makeUser(server.db, { email: 'bob@corp.example', name: 'Bob Existing' });
    const { browser } = await signInThroughIdp({ sub: 'okta-bob', email: 'Bob@Corp.example', amr: ['pwd'] });
    expect(await (await browser.request('/')).text()).toContain('Bob Existing');
    expect(
      await server.db
        .selectFrom('user_identities')
        .select('user_id')
        .where('subject', '=', 'okta-bob')
        .executeTakeFirst(),
    ).toEqual({ user_id: existing.id });

    // No account and no just-in-time creation: refused, nothing made.
    await server.db.updateTable('identity_providers').set({ jit: false }).execute();
    const refused = await signInThroughIdp({ sub: 'okta-carol', email: 'carol@corp.example' });
    expect(refused.landed.status).toBe(403);
    expect(await refused.landed.text()).toContain('There is no Gatehouse account for carol@corp.example');
    expect(
      await server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'carol@corp.example')
        .executeTakeFirst(),
    ).toBeUndefined();

    // An address outside the provider's domains: it does not speak for them.
    await server.db.updateTable('identity_providers').set({ jit: true }).execute();
    // (Typed in as one of the domain's, answered by the provider as someone else's.)
    const outsider = await signInThroughIdp(
      { sub: 'okta-mallory', email: 'bob@example.com' },
      'mallory@corp.example',
    );
    expect(outsider.landed.status).toBe(403);
    expect(await outsider.browser.request('/').then((r) => r.status)).toBe(303);

    // A deactivated person stays out.
    await server.db
      .updateTable('users')
      .set({ deactivated_at: new Date() })
      .where('id', '=', existing.id)
      .execute();
    const gone = await signInThroughIdp({ sub: 'okta-bob', email: 'bob@corp.example' });
    expect(gone.landed.status).toBe(403);
    const reasons = await server.db
      .selectFrom('audit_events')
      .select('reason')
      .where('action', '=', 'sso.sign_in')
      .where('outcome', '=', 'failed')
      .orderBy('id')
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual([
      'no account',
      'address outside the provider’s domains',
      'deactivated',
    ]);
  });

  it('takes the provider’s second factor for Gatehouse’s, and asks for its own code otherwise', async () => {
    await server.db.updateTable('account_settings').set({ require_two_factor: true }).execute();
    try {
      // A password alone at the provider: "require 2FA" sends the person to enrol.
      const single = await signInThroughIdp(alice({ amr: ['pwd'] }));
      const home = await single.browser.request('/');
      expect(home.status).toBe(303);
      expect(home.headers.get('location')).toBe('/account/two-factor');
      // Two factors at the provider: in.
      const double = await signInThroughIdp(alice({ amr: ['pwd', 'otp'] }));
      expect((await double.browser.request('/')).status).toBe(200);
      const mfa = await signInThroughIdp(alice({ amr: ['mfa'] }));
      expect((await mfa.browser.request('/')).status).toBe(200);
      // Someone with an authenticator and no factor asserted: Gatehouse's code step.
      await server.db
        .updateTable('users')
        .set({ totp_secret: encryptSecret(server.system.config.secretKey, newTotpSecret()) })
        .where('email', '=', 'alice@corp.example')
        .execute();
      const coded = await signInThroughIdp(alice({ amr: ['pwd'] }));
      expect(await coded.landed.text()).toContain('Two-factor authentication');
      const audit = await server.db
        .selectFrom('audit_events')
        .select('after')
        .where('action', '=', 'sso.sign_in')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(audit.after).toMatchObject({ providerMfa: false, secondFactor: 'pending' });
    } finally {
      await server.db.updateTable('account_settings').set({ require_two_factor: false }).execute();
    }
  });

  it('refuses a provider’s answer replayed in another browser, or twice', async () => {
    idp.signInAs({ sub: 'okta-zed', email: 'zed@corp.example' });
    const browser = new Browser(server.url);
    let response = await browser.request('/login', {
      ...form({ email: 'zed@corp.example' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    });
    // Our onward page (Refresh) to the provider, its redirects, up to the way back.
    let at = `${server.url}/login`;
    const onward = () =>
      response.headers.get('location') ?? /^0; url=(.+)$/.exec(response.headers.get('refresh') ?? '')?.[1];
    while (onward() && !onward()?.includes('/oidc/callback')) {
      at = new URL(onward() as string, at).href;
      response = await browser.request(at);
    }
    const callback = onward() as string;
    expect(callback).toContain(`/sso/${providerId}/oidc/callback?code=`);
    const stranger = new Browser(server.url);
    expect((await stranger.request(callback)).status).toBe(400);
    // The stranger's try used the pending sign-in up: the right browser cannot use it either now.
    expect((await browser.request(callback)).status).toBe(400);
    expect(
      await server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'zed@corp.example')
        .executeTakeFirst(),
    ).toBeUndefined();
  });

  it('requires single sign-on for the provider’s domains: passwords and resets refused, except an Account Admin’s break-glass with 2FA', async () => {
    await server.db.updateTable('identity_providers').set({ required: true }).execute();
    const member = await makeUser(server.db, { email: 'dave@corp.example', role: 'viewer' });
    const admin = await makeUser(server.db, { email: 'root@corp.example', role: 'account_admin' });
    const password = async (email: string, pass: string) => {
      const browser = new Browser(server.url);
      return browser.request('/login', {
        ...form({ email, password: pass }),
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      });
    };
    // The right password and a wrong one get the same answer: go through the provider.
    for (const pass of [FIXTURE_PASSWORD, 'wrong password']) {
      const refused = await password(member.email, pass);
      expect(refused.status).toBe(401);
      expect(await refused.text()).toContain('Sign in through Corp Okta');
    }
    // An Account Admin without 2FA has no break-glass either.
    expect((await password(admin.email, FIXTURE_PASSWORD)).status).toBe(401);
    await server.db
      .updateTable('users')
      .set({ totp_secret: encryptSecret(server.system.config.secretKey, newTotpSecret()) })
      .where('id', '=', admin.id)
      .execute();
    const glass = await password(admin.email, FIXTURE_PASSWORD);
    expect(glass.status).toBe(303);
    expect(glass.headers.get('location')).toBe('/login/two-factor');
    const broke = await server.db
      .selectFrom('audit_events')
      .select(['actor_label', 'outcome'])
      .where('action', '=', 'sso.break_glass')
      .execute();
    expect(broke).toEqual([{ actor_label: admin.email, outcome: 'success' }]);

    // "Forgot your password?" sends nothing to a member, and says why in the audit trail.
    const browser = new Browser(server.url);
    const before = server.mailer.messages.length;
    await browser.request('/forgot-password', {
      ...form({ email: member.email }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    });
    await server.runJobs();
    expect(server.mailer.messages.length).toBe(before);
    const asked = await server.db
      .selectFrom('audit_events')
      .select('reason')
      .where('action', '=', 'auth.password_reset_request')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(asked.reason).toBe('single sign-on required');

    // Through the provider, the member is in.
    const sso = await signInThroughIdp({ sub: 'okta-dave', email: member.email });
    expect((await sso.browser.request('/')).status).toBe(200);
  });

  it('signs a person into an application of ours through their company’s provider: the app’s form, the provider, the app', async () => {
    const appServer = createServer((_req, res) => res.writeHead(200).end('back in the app'));
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    const redirectUri = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/callback`;
    try {
      const app = await createApplication(server.system, {
        name: 'Product',
        redirectUris: [redirectUri],
        firstParty: true,
      });
      const config = await client.discovery(
        new URL(server.url),
        app.clientId,
        app.clientSecret as string,
        undefined,
        {
          execute: [client.allowInsecureRequests],
        },
      );
      const verifier = client.randomPKCECodeVerifier();
      const authorize = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'app-state',
      });
      const browser = new Browser(server.url);
      const form = await travel(browser, await browser.request(authorize.href), authorize.href);
      const interaction = /action="([^"]+)"/.exec(await form.text())?.[1] as string;
      expect(interaction).toMatch(/^\/oidc\/interaction\//);
      idp.signInAs(alice({ sub: 'okta-app-alice', email: 'appalice@corp.example', amr: ['mfa'] }));
      let at = `${server.url}${interaction}`;
      let response = await browser.request(interaction, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ email: 'appalice@corp.example', password: '' }).toString(),
      });
      // To the provider and back, then on through the interaction to the app's callback.
      for (let hops = 0; hops < 30; hops++) {
        const refresh = /^0; url=(.+)$/.exec(response.headers.get('refresh') ?? '')?.[1];
        const next = response.headers.get('location') ?? refresh;
        if (!next) break;
        at = new URL(next, at).href;
        console.log('HOP', response.status, at.slice(0, 60), [...browser.cookies.keys()].join(','));
        if (at.startsWith(redirectUri)) break;
        response = await browser.request(at);
      }
      expect(at.startsWith(`${redirectUri}?`)).toBe(true);
      const tokens = await client.authorizationCodeGrant(config, new URL(at), {
        pkceCodeVerifier: verifier,
        expectedState: 'app-state',
      });
      expect(tokens.claims()?.email).toBe('appalice@corp.example');
    } finally {
      await new Promise((resolve) => appServer.close(resolve));
    }
  });

  it('lets an administrator try a sign-in from the provider’s page: what came back is shown, nobody is signed in', async () => {
    const admin = new Browser(server.url);
    expect((await admin.signIn('/login', 'owner@example.com', FIXTURE_PASSWORD)).status).toBe(303);
    idp.signInAs({ sub: 'okta-trial', email: 'trial@corp.example', name: 'Trial Person', groups: ['eng'] });
    const started = await admin.request(`/sso/${providerId}/test`);
    const shown = await travel(admin, started, `${server.url}/sso/${providerId}/test`);
    expect(shown.status).toBe(200);
    const page = await shown.text();
    expect(page).toContain('The connection to Corp Okta works');
    expect(page).toContain('trial@corp.example');
    expect(page).toContain('none yet: the first sign-in would create it');
    expect(page).toContain('Engineering');
    expect(
      await server.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', 'trial@corp.example')
        .executeTakeFirst(),
    ).toBeUndefined();
    // Still the administrator's own session.
    expect(await (await admin.request('/')).text()).toContain('owner@example.com');
    // Not for anyone else.
    const stranger = new Browser(server.url);
    expect((await stranger.request(`/sso/${providerId}/test`)).status).toBe(303);
  });

  it('asks for a password when the address belongs to no provider, and tells “single sign-on” is not set up for it', async () => {
    const browser = new Browser(server.url);
    const headers = { 'content-type': 'application/x-www-form-urlencoded', origin: server.url };
    const plain = await browser.request('/login', {
      ...form({ email: 'someone@elsewhere.example', password: '' }),
      headers,
    });
    expect(plain.status).toBe(422);
    expect(await plain.text()).toContain('Enter your password');
    const asked = await browser.request('/login', {
      ...form({ email: 'someone@elsewhere.example', sso: '1' }),
      headers,
    });
    expect(asked.status).toBe(422);
    expect(await asked.text()).toContain('Single sign-on is not set up for this address');
  });
});
