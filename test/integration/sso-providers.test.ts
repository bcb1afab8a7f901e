import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { decryptSecret } from '../../src/auth/two-factor/secret-box';
import { ForbiddenError, ValidationError } from '../../src/core/errors';
import {
  createProvider,
  deleteProvider,
  getProvider,
  listProviders,
  setProviderEnabled,
  updateProvider,
} from '../../src/sso/providers';
import { PUBLIC_URL } from '../helpers/app';
import { databaseKind } from '../helpers/database';
import { actorContext, clientFor, makeUser, snapshot } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({ resetEach: true });

/** Self-signed P-256 certificates: idp.example.com valid 2020 to 2099, old-idp.example.com expired in 2021. */
const VALID_CERT = `-----BEGIN CERTIFICATE-----
MIIBHDCBxAIBAjAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9pZHAuZXhhbXBsZS5j
b20wIBcNMjAwMTAxMDAwMDAwWhgPMjA5OTEyMzEwMDAwMDBaMBoxGDAWBgNVBAMM
D2lkcC5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFTEa/x/
9jzq74fURKx6qRKjxJpGbsbzD+iGz+L5qDX6ZgvV8kMANrCZXJI19OJCf/7eFn5W
04xnsLc8RU9LeiUwCgYIKoZIzj0EAwIDRwAwRAIgNWImXWwCqWDlCAU3wFodBPbt
zfEvbZuuET18IO1IOBwCIDmJvXIvtN6HYtNt1/zsPGU61Y3j9MUVqE1p4QpU3Kzq
-----END CERTIFICATE-----`;
const EXPIRED_CERT = `-----BEGIN CERTIFICATE-----
MIIBJDCBygIBATAKBggqhkjOPQQDAjAeMRwwGgYDVQQDDBNvbGQtaWRwLmV4YW1w
bGUuY29tMB4XDTIwMDEwMTAwMDAwMFoXDTIxMDEwMTAwMDAwMFowHjEcMBoGA1UE
AwwTb2xkLWlkcC5leGFtcGxlLmNvbTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IA
BL42lovZ3E4x8cfhY177dU1mWlVPTnoAC7ly4REhEqWPkXOPsB3wia3oJw4MZBZU
DNFIjuNS0xxj18Yn0Ebo9V8wCgYIKoZIzj0EAwIDSQAwRgIhAII8DKSYJ8adMEJX
fBKSLeO2nodE1NPi8V2NibYqg+BXAiEAn55JBtvVC0RzajFdGInzVgv5llA71q9t
DBSx+3fiKSs=
-----END CERTIFICATE-----`;

const base64Of = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

/** An identity provider's SAML metadata, as an admin would paste it. */
const metadataXml = (entityId: string, ssoUrl: string, certificates: string[]) => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
${certificates
  .map(
    (c) => `    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Of(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>`,
  )
  .join('\n')}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

const SECRET = 'the-idp-client-secret-0123456789';

async function admin() {
  const user = await makeUser(t.db, { role: 'account_admin' });
  return { user, client: await clientFor(t, user.id), ctx: await actorContext(t, user) };
}

const auditOf = (action: string) =>
  t.db.selectFrom('audit_events').selectAll().where('action', '=', action).orderBy('id').execute();

const allAudit = () => t.db.selectFrom('audit_events').selectAll().orderBy('id').execute();

const idFrom = (response: Response) => {
  expect(response.status).toBe(303);
  const location = response.headers.get('location') ?? '';
  expect(location).toMatch(/^\/sso\/[0-9a-f-]{36}$/);
  return location.slice('/sso/'.length);
};

const oidcForm = (fields: Partial<Record<string, string>> = {}) => ({
  kind: 'oidc',
  name: 'Okta',
  issuer: 'https://example.okta.com',
  clientId: 'gatehouse-client',
  clientSecret: SECRET,
  domains: '',
  groupsAttribute: '',
  groupMappings: '',
  ...fields,
});

describe(`the Single sign-on pages (${databaseKind})`, () => {
  it('adds an OpenID Connect provider with its secret sealed, never shown nor audited; edits, disables and deletes it', async () => {
    const { client } = await admin();
    const projectId = await defaultProjectId(t.db);
    const viewerRole = await builtinRoleId(t.db, 'viewer');
    const team = await t.db
      .insertInto('teams')
      .values({ name: 'Engineering' })
      .returning('id')
      .executeTakeFirstOrThrow();

    const list = await client.get('/sso');
    expect(list.status).toBe(200);
    expect(await list.text()).toContain('href="/sso/new"');
    const choose = await (await client.get('/sso/new')).text();
    expect(choose).toContain('name="kind" value="oidc"');
    expect(choose).toContain('name="kind" value="saml"');
    const form = await (await client.get('/sso/new?kind=oidc')).text();
    expect(form).toContain('Issuer URL');
    expect(form).not.toContain('name="metadata"');
    expect((await client.get('/sso/new?kind=ldap')).status).toBe(422);

    const created = await client.post(
      '/sso/new',
      oidcForm({
        domains: 'Example.com, example.org\nEXAMPLE.com',
        groupMappings: 'engineers = engineering\nCN=Admins,OU=Groups = Engineering',
        required: 'on',
        jit: 'on',
        jitRoleId: viewerRole,
        jitProjectId: projectId,
      }),
    );
    const id = idFrom(created);
    const row = await t.db
      .selectFrom('identity_providers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: 'Okta',
      kind: 'oidc',
      enabled: true,
      issuer: 'https://example.okta.com',
      client_id: 'gatehouse-client',
      groups_attribute: 'groups',
      required: true,
      jit: true,
      jit_role_id: viewerRole,
      jit_project_id: projectId,
      saml_entity_id: null,
    });
    // Sealed at rest: not the secret, and SECRET_KEY opens it.
    expect(row.client_secret_sealed).toMatch(/^v1\./);
    expect(row.client_secret_sealed).not.toContain(SECRET);
    expect(decryptSecret(t.config.secretKey, row.client_secret_sealed as string)).toBe(SECRET);
    const details = await getProvider(t.db, id);
    expect(details?.domains).toEqual(['example.com', 'example.org']);
    expect(details?.groupMappings).toEqual([
      { groupName: 'CN=Admins,OU=Groups', teamId: team.id, teamName: 'Engineering' },
      { groupName: 'engineers', teamId: team.id, teamName: 'Engineering' },
    ]);

    const page = await (await client.get(`/sso/${id}`)).text();
    expect(page).toContain(`${PUBLIC_URL}/sso/${id}/oidc/callback`);
    expect(page).toContain(`href="/sso/${id}/test" target="_blank" rel="noopener"`);
    expect(page).toContain('Test connection');
    const edit = await (await client.get(`/sso/${id}/edit`)).text();
    expect(edit).toContain('Leave blank to keep the current secret');
    expect(edit).toContain('CN=Admins,OU=Groups = Engineering');
    const listed = await (await client.get('/sso')).text();
    expect(listed).toContain('Okta');
    expect(listed).toContain('example.com, example.org');
    for (const html of [page, edit, listed]) {
      expect(html).not.toContain(SECRET);
      expect(html).not.toContain(row.client_secret_sealed as string);
    }
    expect(await listProviders(t.db)).toMatchObject([
      { id, name: 'Okta', kind: 'oidc', enabled: true, required: true, jit: true },
    ]);

    // A blank secret keeps the sealed one; every change moves updated_at on.
    const saved = await client.post(
      `/sso/${id}/edit`,
      oidcForm({ name: 'Okta (staff)', clientSecret: '', domains: 'example.com', groupMappings: '' }),
    );
    expect(saved.status).toBe(303);
    const kept = await getProvider(t.db, id);
    expect(kept).toMatchObject({
      name: 'Okta (staff)',
      client_secret_sealed: row.client_secret_sealed,
      domains: ['example.com'],
      groupMappings: [],
      required: false,
      jit: false,
    });
    expect(kept?.updated_at.getTime()).toBeGreaterThan(row.updated_at.getTime());
    const newSecret = 'a-rotated-client-secret-9876543210';
    expect((await client.post(`/sso/${id}/edit`, oidcForm({ clientSecret: newSecret }))).status).toBe(303);
    const rotated = await getProvider(t.db, id);
    expect(rotated?.client_secret_sealed).not.toBe(row.client_secret_sealed);
    expect(decryptSecret(t.config.secretKey, rotated?.client_secret_sealed as string)).toBe(newSecret);
    expect(rotated?.updated_at.getTime()).toBeGreaterThan(kept?.updated_at.getTime() ?? 0);

    expect((await client.post(`/sso/${id}/disable`, {})).status).toBe(303);
    expect((await getProvider(t.db, id))?.enabled).toBe(false);
    const twice = await client.post(`/sso/${id}/disable`, {});
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('Okta is already disabled.');
    expect((await client.post(`/sso/${id}/enable`, {})).status).toBe(303);
    expect((await getProvider(t.db, id))?.enabled).toBe(true);

    // Deleting: its domains, mappings and linked identities go; the people it made stay.
    await client.post(
      `/sso/${id}/edit`,
      oidcForm({ clientSecret: '', groupMappings: 'engineers = Engineering' }),
    );
    const person = await makeUser(t.db, { email: 'made@example.com' });
    await t.db.updateTable('users').set({ source: 'sso' }).where('id', '=', person.id).execute();
    await t.db
      .insertInto('user_identities')
      .values({ provider_id: id, subject: 'sub-1', user_id: person.id })
      .execute();
    await t.db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: person.id, source: 'sso', source_provider_id: id })
      .execute();
    const confirm = await client.get(`/sso/${id}/delete`);
    expect(await confirm.text()).toContain('Delete the identity provider');
    const deleted = await client.post(`/sso/${id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/sso');
    expect(await getProvider(t.db, id)).toBeUndefined();
    expect(await t.db.selectFrom('sso_domains').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('sso_group_teams').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('user_identities').selectAll().execute()).toEqual([]);
    expect(await t.db.selectFrom('users').select('id').where('id', '=', person.id).execute()).toHaveLength(1);
    expect(
      await t.db
        .selectFrom('team_members')
        .select('source_provider_id')
        .where('user_id', '=', person.id)
        .execute(),
    ).toEqual([{ source_provider_id: null }]);
    expect((await client.get(`/sso/${id}`)).status).toBe(404);

    const events = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('target_type', '=', 'identity_provider')
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'sso.provider_create',
      'sso.provider_update',
      'sso.provider_update',
      'sso.provider_update',
      'sso.provider_update',
      'sso.provider_update',
      'sso.provider_delete',
    ]);
    expect(events.every((e) => e.outcome === 'success' && e.target_id === id && e.project_id === null)).toBe(
      true,
    );
    expect(events[0]?.after).toMatchObject({
      name: 'Okta',
      issuer: 'https://example.okta.com',
      clientSecret: 'set',
      domains: ['example.com', 'example.org'],
      jitRole: 'Viewer',
      groupMappings: ['CN=Admins,OU=Groups = Engineering', 'engineers = Engineering'],
    });
    expect(events[1]?.after).not.toHaveProperty('clientSecret');
    expect(events[2]?.before).toMatchObject({ clientSecret: 'set' });
    expect(events[2]?.after).toMatchObject({ clientSecret: 'changed' });
    // Nowhere in the trail, in any form.
    const trail = JSON.stringify(await allAudit());
    for (const secret of [SECRET, newSecret]) expect(trail).not.toContain(secret);
    expect(trail).not.toContain('v1.');
    expect(t.errors).toEqual([]);
  });

  it('adds a SAML provider from its metadata, keeps it when left blank, and tests its certificates', async () => {
    const { client } = await admin();
    const bad = await client.post('/sso/new', {
      kind: 'saml',
      name: 'Corporate AD FS',
      metadata: '<md:EntityDescriptor',
    });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('The metadata is not valid XML.');
    const first = metadataXml(
      'https://adfs.example.com/adfs/services/trust',
      'https://adfs.example.com/adfs/ls/',
      [VALID_CERT],
    );
    const id = idFrom(
      await client.post('/sso/new', {
        kind: 'saml',
        name: 'Corporate AD FS',
        metadata: first,
        domains: 'corp.example.com',
        groupsAttribute: 'http://schemas.xmlsoap.org/claims/Group',
      }),
    );
    const row = await getProvider(t.db, id);
    expect(row).toMatchObject({
      kind: 'saml',
      saml_entity_id: 'https://adfs.example.com/adfs/services/trust',
      saml_sso_url: 'https://adfs.example.com/adfs/ls/',
      issuer: null,
      client_id: null,
      client_secret_sealed: null,
      groups_attribute: 'http://schemas.xmlsoap.org/claims/Group',
      domains: ['corp.example.com'],
    });
    expect(row?.saml_certificates).toHaveLength(1);

    const page = await (await client.get(`/sso/${id}`)).text();
    expect(page).toContain(`${PUBLIC_URL}/sso/${id}/saml/metadata`);
    expect(page).toContain(`${PUBLIC_URL}/sso/${id}/saml/acs`);
    expect(page).toContain(`href="/sso/${id}/saml/metadata"`);
    const tested = await (await client.post(`/sso/${id}/test-connection`, {})).text();
    expect(tested).toContain('Settings read');
    expect(tested).toContain('CN=idp.example.com');
    expect(tested).toContain('until 2099-12-31');
    expect(tested).not.toContain('Warning');

    // Blank metadata keeps the current; the kind cannot change.
    expect(
      (await client.post(`/sso/${id}/edit`, { name: 'AD FS', metadata: '', domains: 'corp.example.com' }))
        .status,
    ).toBe(303);
    expect(await getProvider(t.db, id)).toMatchObject({
      name: 'AD FS',
      saml_entity_id: 'https://adfs.example.com/adfs/services/trust',
      saml_certificates: row?.saml_certificates,
      groups_attribute: 'groups',
    });
    await expect(
      updateProvider(await actorContext(t, (await admin()).user), id, { kind: 'oidc', name: 'AD FS' }),
    ).rejects.toThrow('The kind of a provider cannot change');

    // New metadata with an expired certificate beside the valid one: the test warns.
    const rolled = metadataXml(
      'https://adfs.example.com/adfs/services/trust',
      'https://adfs.example.com/adfs/ls/',
      [EXPIRED_CERT, VALID_CERT],
    );
    expect((await client.post(`/sso/${id}/edit`, { name: 'AD FS', metadata: rolled })).status).toBe(303);
    expect((await getProvider(t.db, id))?.saml_certificates).toHaveLength(2);
    const fragment = await (
      await client.post(`/sso/${id}/test-connection`, {}, { 'HX-Request': 'true' })
    ).text();
    expect(fragment).not.toContain('<html');
    expect(fragment).toContain('Settings read, with a warning');
    expect(fragment).toContain('CN=old-idp.example.com');
    expect(fragment).toContain('Warning: expired on 2021-01-01.');

    const updates = await auditOf('sso.provider_update');
    expect(updates.at(-1)?.after).toMatchObject({
      certificates: [expect.stringMatching(/^[0-9A-F:]{95}$/), expect.any(String)],
    });
    expect(JSON.stringify(await allAudit())).not.toContain('BEGIN CERTIFICATE');
    expect(t.errors).toEqual([]);
  });

  it('gives a domain to one provider only: a domain another claims is refused, naming both', async () => {
    const { client, ctx } = await admin();
    await createProvider(ctx, {
      ...oidcForm(),
      kind: 'oidc',
      name: 'Okta',
      domains: 'example.com\nexample.net',
    });
    const other = await createProvider(ctx, {
      ...oidcForm(),
      kind: 'oidc',
      name: 'Entra',
      issuer: 'https://login.microsoftonline.com/tenant/v2.0',
      domains: 'example.org',
    });
    const before = await snapshot(t.db);
    const auditCount = (await allAudit()).length;

    const refused = await client.post(
      '/sso/new',
      oidcForm({ name: 'Google', issuer: 'https://accounts.google.com', domains: 'Example.COM, example.io' }),
    );
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('example.com already belongs to the identity provider “Okta”');
    const moved = await client.post(
      `/sso/${other}/edit`,
      oidcForm({ name: 'Entra', clientSecret: '', domains: 'example.net' }),
    );
    expect(moved.status).toBe(422);
    expect(await moved.text()).toContain('example.net already belongs to the identity provider “Okta”');
    // Just-in-time accounts never get admin rights on arrival.
    const adminRole = await builtinRoleId(t.db, 'admin');
    const generous = await client.post(
      '/sso/new',
      oidcForm({
        name: 'Generous',
        domains: 'generous.example',
        jit: 'on',
        jitRoleId: adminRole,
        jitProjectId: await defaultProjectId(t.db),
      }),
    );
    expect(generous.status).toBe(422);
    expect(await generous.text()).toContain('Choose a role without admin rights');
    expect(await snapshot(t.db)).toBe(before);
    expect(await allAudit()).toHaveLength(auditCount);

    // A provider keeps its own domains when it is saved again.
    await updateProvider(ctx, other, {
      ...oidcForm({ name: 'Entra', clientSecret: '' }),
      kind: 'oidc',
      domains: 'example.org',
    });
    expect((await getProvider(t.db, other))?.domains).toEqual(['example.org']);
  });

  it('refuses bad input with a message on its field, and changes nothing', async () => {
    const { client, ctx } = await admin();
    await t.db.insertInto('teams').values({ name: 'Support' }).execute();
    await t.db
      .insertInto('teams')
      .values({ name: 'Directory team', source: 'scim', external_id: 'x1' })
      .execute();
    const existing = await createProvider(ctx, { ...oidcForm(), kind: 'oidc', domains: 'example.com' });
    const before = await snapshot(t.db);
    const auditCount = (await allAudit()).length;

    const cases: Array<[Record<string, string>, string, string]> = [
      [
        { issuer: 'http://idp.example.com' },
        'issuer',
        'must be an https URL (http only for 127.0.0.1, localhost or [::1])',
      ],
      [{ issuer: 'not a url' }, 'issuer', 'The issuer is a URL such as https://login.example.com.'],
      [{ issuer: 'https://idp.example.com/#frag' }, 'issuer', 'without a user name, query or fragment'],
      [{ issuer: '' }, 'issuer', 'Enter the issuer URL'],
      [{ clientId: '' }, 'clientId', 'Enter the client id'],
      [{ clientSecret: '' }, 'clientSecret', 'Enter the client secret'],
      [{ name: '' }, 'name', 'Name the identity provider.'],
      [{ name: 'okta' }, 'name', 'Another identity provider is called okta'],
      [{ domains: 'example.io, not_a_domain' }, 'domains', '“not_a_domain” is not a domain name'],
      [{ domains: 'localhost' }, 'domains', '“localhost” is not a domain name'],
      [{ required: 'on' }, 'domains', 'single sign-on can only be required of the people of its domains'],
      [
        { jit: 'on', domains: 'example.io' },
        'jitRoleId',
        'Choose the role that the accounts it creates get.',
      ],
      [
        { jit: 'on', domains: 'example.io', jitRoleId: '00000000-0000-4000-8000-000000000000' },
        'jitRoleId',
        'Choose one of the roles listed',
      ],
      [
        { groupMappings: 'support\n' },
        'groupMappings',
        'Line 1 (“support”) is not “group name = Team name”.',
      ],
      [
        { groupMappings: 'a = Support\n\nops = Operations' },
        'groupMappings',
        'Line 3 (“ops = Operations”): there is no team called “Operations”.',
      ],
      [{ groupMappings: 'staff = Directory team' }, 'groupMappings', 'is kept by the directory (SCIM)'],
    ];
    for (const [fields, field, message] of cases) {
      const response = await client.post('/sso/new', oidcForm({ name: 'New one', ...fields }));
      expect(response.status, JSON.stringify(fields)).toBe(422);
      const html = await response.text();
      expect(html, JSON.stringify(fields)).toContain(message);
      // The message sits by its field and links from the summary.
      expect(html, JSON.stringify(fields)).toContain(`id="${field}-error"`);
      expect(html).not.toContain(SECRET);
    }
    const samlCases: Array<[string, string]> = [
      ['', 'Paste the identity provider’s metadata (XML).'],
      ['<not-metadata/>', 'This is not SAML metadata'],
      [
        metadataXml('https://idp.example.com', 'http://idp.example.com/sso', [VALID_CERT]),
        'The sign-in address (SingleSignOnService Location) must use https.',
      ],
      [metadataXml('https://idp.example.com', 'https://idp.example.com/sso', []), 'no signing certificate'],
    ];
    for (const [metadata, message] of samlCases) {
      const response = await client.post('/sso/new', { kind: 'saml', name: 'SAML one', metadata });
      expect(response.status, metadata).toBe(422);
      expect(await response.text(), metadata).toContain(message);
    }
    // An edit refused the same way leaves the provider as it was.
    const edit = await client.post(`/sso/${existing}/edit`, oidcForm({ issuer: 'ftp://idp.example.com' }));
    expect(edit.status).toBe(422);
    const editPage = await edit.text();
    expect(editPage).toContain('must be an https URL');
    expect(editPage).not.toContain(SECRET);
    // Every field's problem at once, in the form's order.
    await expect(
      createProvider(ctx, {
        kind: 'oidc',
        name: '',
        issuer: 'http://x.example.com',
        clientId: '',
        required: true,
      }),
    ).rejects.toSatisfy(
      (e) =>
        e instanceof ValidationError &&
        JSON.stringify(Object.keys(e.fields)) ===
          JSON.stringify(['name', 'issuer', 'clientId', 'clientSecret', 'domains']),
    );

    expect(await snapshot(t.db)).toBe(before);
    expect(await allAudit()).toHaveLength(auditCount);
    expect(t.errors).toEqual([]);
  });

  it('is for Account Admins: an Admin is refused (403), audited as denied, and has no menu item', async () => {
    const { ctx } = await admin();
    const id = await createProvider(ctx, { ...oidcForm(), kind: 'oidc' });
    const adminUser = await makeUser(t.db, { role: 'admin' });
    const client = await clientFor(t, adminUser.id);
    const before = await snapshot(t.db);
    expect(await (await client.get('/')).text()).not.toContain('href="/sso"');
    for (const [method, path] of [
      ['GET', '/sso'],
      ['GET', '/sso/new'],
      ['POST', '/sso/new'],
      ['GET', `/sso/${id}`],
      ['POST', `/sso/${id}/edit`],
      ['POST', `/sso/${id}/disable`],
      ['POST', `/sso/${id}/delete`],
      ['POST', `/sso/${id}/test-connection`],
    ] as const) {
      const response =
        method === 'GET' ? await client.get(path) : await client.post(path, oidcForm({ name: 'Taken over' }));
      expect(response.status, `${method} ${path}`).toBe(403);
    }
    const denied = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .where('outcome', '=', 'denied')
      .where('actor_id', '=', adminUser.id)
      .orderBy('id')
      .execute();
    expect(denied.map((e) => e.target_id)).toEqual(
      expect.arrayContaining(['GET /sso', 'POST /sso/new', `POST /sso/${id}/delete`]),
    );
    expect(denied.every((e) => e.reason === 'missing permission account.settings')).toBe(true);

    // The domain functions check for themselves, account-wide, and record the attempt.
    const adminCtx = await actorContext(t, adminUser);
    await expect(
      createProvider(adminCtx, { ...oidcForm(), kind: 'oidc', name: 'Other' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setProviderEnabled(adminCtx, id, false)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(deleteProvider(adminCtx, id)).rejects.toBeInstanceOf(ForbiddenError);
    const refusedActions = (
      await t.db
        .selectFrom('audit_events')
        .selectAll()
        .where('outcome', '=', 'denied')
        .where('actor_id', '=', adminUser.id)
        .execute()
    )
      .filter((e) => e.action.startsWith('sso.'))
      .map((e) => e.action)
      .sort();
    expect(refusedActions).toEqual(['sso.provider_create', 'sso.provider_delete', 'sso.provider_update']);
    expect(await snapshot(t.db)).toBe(before);
  });
});

describe(`Test connection against a real OpenID provider (${databaseKind})`, () => {
  let server: Server;
  let issuer: string;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const idp = new Provider(issuer, {
      clients: [
        {
          client_id: 'gatehouse-client',
          client_secret: SECRET,
          redirect_uris: [`${PUBLIC_URL}/sso/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['a test identity provider'] },
      features: { devInteractions: { enabled: false } },
    });
    server.on('request', idp.callback());
  });
  afterAll(() => new Promise<void>((resolve) => server?.close(() => resolve())));

  it('shows the discovered issuer and endpoints, and says plainly why a closed port fails', async () => {
    const { client, ctx } = await admin();
    const id = await createProvider(ctx, { ...oidcForm({ issuer }), kind: 'oidc', name: 'Local IdP' });
    const page = await client.post(`/sso/${id}/test-connection`, {});
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<h1>Local IdP</h1>');
    expect(html).toContain('The connection works');
    expect(html).toContain(`<code>${issuer}</code>`);
    expect(html).toContain(`<code>${issuer}/auth</code>`);

    const fragment = await (
      await client.post(`/sso/${id}/test-connection`, {}, { 'HX-Request': 'true' })
    ).text();
    expect(fragment).not.toContain('<h1>');
    expect(fragment).toContain(`<code>${issuer}/auth</code>`);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await createProvider(ctx, {
      ...oidcForm({ issuer: `http://127.0.0.1:${port}` }),
      kind: 'oidc',
      name: 'Down IdP',
      domains: 'down.example.com',
    });
    const failed = await (await client.post(`/sso/${down}/test-connection`, {})).text();
    expect(failed).toContain('The connection failed');
    expect(failed).toContain('discovery failed');
    expect(failed).not.toContain('The connection works');
    // A test changes nothing and records nothing.
    expect(
      (await allAudit()).filter((e) => e.target_id === id || e.target_id === down).map((e) => e.action),
    ).toEqual(['sso.provider_create', 'sso.provider_create']);
    expect(t.errors).toEqual([]);
  });
});
