import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors';
import { SsoRefused } from '../../src/sso/identity';
import {
  CLOCK_SKEW_MS,
  type ProviderRow,
  parseIdpMetadata,
  samlIdentity,
  samlRedirectUrl,
  samlServiceProvider,
  serviceProviderMetadata,
} from '../../src/sso/saml';
import { databaseKind } from '../helpers/database';
import {
  ATTACKER_KEYS,
  EVIL_NAME_ID,
  IDP_ENTITY_ID,
  IDP_KEYS,
  IDP_SSO_URL,
  idpMetadata,
  readAuthnRequest,
  type SamlResponseOptions,
  samlProviderColumns,
  samlResponse,
} from '../helpers/saml-idp';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

let provider: ProviderRow;
let other: ProviderRow;
let counter = 0;

async function makeProvider(columns: Partial<ProviderRow> = {}): Promise<ProviderRow> {
  counter++;
  return t.db
    .insertInto('identity_providers')
    .values({ name: `SAML ${counter}`, ...samlProviderColumns(), ...columns })
    .returningAll()
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  provider = await makeProvider({ groups_attribute: 'memberOf' });
  other = await makeProvider();
});

/** A pending sign-in as the flow records it, and the AuthnRequest our redirect carries. */
async function start(p: ProviderRow = provider, options: { expiresAt?: Date } = {}) {
  const requestId = randomBytes(24).toString('base64url');
  await t.db
    .insertInto('sso_requests')
    .values({
      id: requestId,
      provider_id: p.id,
      browser_hash: randomBytes(32),
      expires_at: options.expiresAt ?? new Date(t.clock.now().getTime() + 10 * 60_000),
    })
    .execute();
  const url = await samlRedirectUrl(t.db, t.config, p, requestId);
  return { requestId, url, request: readAuthnRequest(url) };
}

const answer = (p: ProviderRow, SAMLResponse: string | undefined, RelayState?: string) =>
  samlIdentity(t.db, t.config, p, { SAMLResponse, RelayState }, t.clock.now());

/** Signs in through a fresh pending request with the response `options` describe. */
async function signIn(options: Omit<SamlResponseOptions, 'request'> = {}, p: ProviderRow = provider) {
  const { request, requestId } = await start(p);
  const result = await answer(p, samlResponse({ request, ...options }), requestId);
  expect(result.requestId).toBe(requestId);
  return result;
}

/** The reason of the SsoRefused the promise rejects with (anything else fails the test). */
async function reason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SsoRefused);
  return (error as SsoRefused).reason;
}

async function refusal(options: Omit<SamlResponseOptions, 'request'>, p: ProviderRow = provider) {
  const { request, requestId } = await start(p);
  return reason(answer(p, samlResponse({ request, ...options }), requestId));
}

const minutes = (n: number) => new Date(Date.now() + n * 60_000);

describe(`SAML service provider (${databaseKind})`, () => {
  it('sends an AuthnRequest by HTTP-Redirect whose ID comes from the pending request, RelayState its id', async () => {
    const { requestId, url, request } = await start();
    const sp = samlServiceProvider(t.config, provider);
    expect(request.destination).toBe(IDP_SSO_URL);
    expect(request.id).toBe(`_${requestId}`);
    expect(request.relayState).toBe(requestId);
    expect(request.spEntityId).toBe(`${t.config.publicUrl}/sso/${provider.id}/saml/metadata`);
    expect(request.spEntityId).toBe(sp.entityId);
    expect(request.acsUrl).toBe(`${t.config.publicUrl}/sso/${provider.id}/saml/acs`);
    // No RequestedAuthnContext (Entra refuses other methods than the one asked: AADSTS75011) and
    // no NameID format imposed.
    expect(request.xml).not.toContain('RequestedAuthnContext');
    expect(request.xml).not.toMatch(/NameIDPolicy[^>]*Format=/);
    expect(new URL(url).searchParams.get('Signature')).toBeNull();
    const xml = inflateRawSync(
      Buffer.from(new URL(url).searchParams.get('SAMLRequest') ?? '', 'base64'),
    ).toString();
    expect(xml).toContain('ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"');

    // The flow records the request first; an unknown one, or one of another provider, is a bug.
    await expect(
      samlRedirectUrl(t.db, t.config, provider, randomBytes(24).toString('base64url')),
    ).rejects.toThrow(/recorded before/);
    const theirs = await start(other);
    await expect(samlRedirectUrl(t.db, t.config, provider, theirs.requestId)).rejects.toThrow(
      /recorded before/,
    );
    await expect(samlRedirectUrl(t.db, t.config, provider, 'short')).rejects.toThrow(/base64url/);
  });

  it('accepts a good response: subject, lower-cased email, name, groups and the pending request it answers', async () => {
    const result = await signIn({
      nameId: 'Alice.Liddell@Example.COM',
      attributes: { displayName: 'Alice Liddell', memberOf: ['Engineering', 'Admins', 'Engineering'] },
    });
    expect(result.identity).toEqual({
      subject: 'Alice.Liddell@Example.COM',
      email: 'alice.liddell@example.com',
      name: 'Alice Liddell',
      groups: ['Engineering', 'Admins'],
      mfa: false,
    });
    // The assertion is recorded as used (per provider) until its end plus the skew.
    const assertionId = `_a${randomBytes(16).toString('hex')}`;
    await signIn({ assertionId });
    const used = await t.db
      .selectFrom('sso_used_assertions')
      .selectAll()
      .where('id', '=', `${provider.id}:${assertionId}`)
      .executeTakeFirstOrThrow();
    const until = used.expires_at.getTime();
    expect(until).toBeGreaterThan(Date.now() + 5 * 60_000 + CLOCK_SKEW_MS - 10_000);
    expect(until).toBeLessThan(Date.now() + 5 * 60_000 + CLOCK_SKEW_MS + 10_000);
  });

  it('reads the email, name and groups from the attributes Entra ID, Okta and LDAP-style IdPs send', async () => {
    // Entra ID: an opaque persistent NameID, claim URIs, object ids as groups.
    const entra = await signIn({
      nameId: 'k9Xc1-opaque-persistent-id',
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      attributes: {
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress': 'Bob@Contoso.com',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': 'Bob',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname': 'Builder',
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups':
          'a1b2c3d4-0000-4000-8000-000000000001',
      },
    });
    expect(entra.identity).toEqual({
      subject: 'k9Xc1-opaque-persistent-id',
      email: 'bob@contoso.com',
      name: 'Bob Builder',
      groups: ['a1b2c3d4-0000-4000-8000-000000000001'],
      mfa: false,
    });
    // LDAP-style names, unspecified NameID, a single-valued groups attribute.
    const ldap = await signIn({
      nameId: 'carol',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      attributes: { mail: 'carol@example.org', givenName: 'Carol', sn: 'Danvers', memberOf: 'Pilots' },
    });
    expect(ldap.identity).toMatchObject({
      subject: 'carol',
      email: 'carol@example.org',
      name: 'Carol Danvers',
    });
    expect(ldap.identity.groups).toEqual(['Pilots']);
    // The provider's groups_attribute names the attribute (another provider's 'groups').
    // Attributes named like Object's own properties are only names.
    const theirs = await signIn(
      {
        attributes: {
          groups: ['One', 'Two'],
          memberOf: 'Ignored',
          ['__proto__']: ['x', 'y'],
          constructor: 'z',
        },
      },
      other,
    );
    expect(theirs.identity.groups).toEqual(['One', 'Two']);
    expect(theirs.identity.name).toBeNull();
    // An email NameID Format wins over the attributes; a bad attribute email is skipped.
    const both = await signIn({
      nameId: 'dave@example.com',
      attributes: { email: 'not an email', mail: 'dave.other@example.com' },
    });
    expect(both.identity.email).toBe('dave@example.com');
    const skipped = await signIn({
      nameId: 'dave-id',
      nameIdFormat: null,
      attributes: { email: 'not an email', mail: 'dave.other@example.com' },
    });
    expect(skipped.identity.email).toBe('dave.other@example.com');
  });

  it('says mfa only for a multi-factor context: Entra’s multipleauthn, Okta’s amr, two-factor classes', async () => {
    const mfa = async (options: Omit<SamlResponseOptions, 'request'>) => (await signIn(options)).identity.mfa;
    expect(await mfa({})).toBe(false);
    expect(
      await mfa({
        authnContextClassRef:
          'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
      }),
    ).toBe(false);
    // Entra ID: authnmethodsreferences lists the methods used.
    expect(
      await mfa({
        attributes: {
          'http://schemas.microsoft.com/claims/authnmethodsreferences': [
            'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
            'http://schemas.microsoft.com/claims/multipleauthn',
          ],
        },
      }),
    ).toBe(true);
    expect(
      await mfa({
        attributes: {
          'http://schemas.microsoft.com/claims/authnmethodsreferences':
            'http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password',
        },
      }),
    ).toBe(false);
    // AD FS puts multipleauthn in the AuthnContextClassRef; REFEDS MFA; SAML's two-factor classes.
    for (const context of [
      'http://schemas.microsoft.com/claims/multipleauthn',
      'https://refeds.org/profile/mfa',
      'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
      'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
    ])
      expect(await mfa({ authnContextClassRef: context })).toBe(true);
    // Okta's Dynamic Authentication Context: an `amr` attribute with RFC 8176 values.
    expect(await mfa({ attributes: { amr: ['pwd', 'mfa', 'swk'] } })).toBe(true);
    expect(await mfa({ attributes: { amr: ['pwd', 'otp'] } })).toBe(true);
    expect(await mfa({ attributes: { amr: 'pwd' } })).toBe(false);
  });

  it('accepts a response signed as a whole as well as its assertion, and a provider rolling its certificate over', async () => {
    expect((await signIn({ sign: 'both' })).identity.email).toBe('alice@example.com');
    const rolling = await makeProvider({ saml_certificates: [ATTACKER_KEYS.cert, IDP_KEYS.cert] });
    expect((await signIn({}, rolling)).identity.email).toBe('alice@example.com');
  });

  it('accepts clocks apart by less than the skew and refuses beyond it', async () => {
    expect((await signIn({ notBefore: minutes(1) })).identity.email).toBe('alice@example.com');
    expect((await signIn({ now: minutes(-6), notOnOrAfter: minutes(-1) })).identity.email).toBe(
      'alice@example.com',
    );
    expect(await refusal({ notBefore: minutes(3) })).toMatch(/not yet valid/);
    expect(await refusal({ now: minutes(-10), notOnOrAfter: minutes(-3) })).toMatch(/expired/);
    // Older than an hour, whatever its NotOnOrAfter.
    expect(
      await refusal({ now: minutes(-120), notBefore: minutes(-121), notOnOrAfter: minutes(60) }),
    ).toMatch(/expired/);
  });

  it('refuses a tampered, unsigned, foreign-signed or envelope-only-signed response', async () => {
    const tampered = await refusal({
      tamper: (xml) => xml.replace('>alice@example.com</saml:NameID>', '>mallory@example.com</saml:NameID>'),
    });
    expect(tampered).toMatch(/signature/);
    expect(
      await refusal({
        attributes: { memberOf: 'Staff' },
        tamper: (xml) => xml.replace('>Staff<', '>Admins<'),
      }),
    ).toMatch(/signature/);
    expect(await refusal({ sign: 'none' })).toMatch(/signature/);
    expect(await refusal({ keys: ATTACKER_KEYS })).toMatch(/signature/);
    // The assertion itself must be signed, whatever signs the envelope.
    expect(await refusal({ sign: 'response' })).toMatch(/signature/);
    expect(await refusal({ sign: 'both', keys: ATTACKER_KEYS })).toMatch(/signature/);
  });

  it('refuses signature wrapping, and reads only what the signature covers', async () => {
    for (const xsw of ['sibling', 'extensions', 'advice', 'same-id'] as const) {
      const { request, requestId } = await start();
      const result = answer(provider, samlResponse({ request, xsw }), requestId);
      expect(await reason(result), xsw).toMatch(/signature/);
    }
    // The same with the envelope signed too (the attacker cannot re-sign it: the IdP did, before).
    const { request, requestId } = await start();
    expect(
      await reason(answer(provider, samlResponse({ request, xsw: 'extensions', sign: 'both' }), requestId)),
    ).toMatch(/signature/);
    // A comment inside the NameID does not break the signature (c14n drops comments); what is read
    // is the whole signed value, not the text before the comment.
    const commented = await signIn({
      nameId: 'alice@example.com.evil.test',
      tamper: (xml) => xml.replace('>alice@example.com.evil.test<', '>alice@example.com<!---->.evil.test<'),
    });
    expect(commented.identity.email).toBe('alice@example.com.evil.test');
    expect(EVIL_NAME_ID).not.toBe(commented.identity.email);
  });

  it('refuses a replay: the same response twice', async () => {
    const { request, requestId } = await start();
    const response = samlResponse({ request });
    expect((await answer(provider, response, requestId)).requestId).toBe(requestId);
    expect(await reason(answer(provider, response, requestId))).toMatch(/already used/);
    // Once the flow has kept the identity in the request, another answer to it is refused too.
    await t.db
      .updateTable('sso_requests')
      .set({ identity: JSON.stringify({}) })
      .where('id', '=', requestId)
      .execute();
    expect(await reason(answer(provider, samlResponse({ request }), requestId))).toMatch(/already answered/);
    // And once the flow has deleted it, the response answers nothing.
    await t.db.deleteFrom('sso_requests').where('id', '=', requestId).execute();
    expect(await reason(answer(provider, samlResponse({ request }), requestId))).toMatch(
      /no pending sign-in request/,
    );
  });

  it('lets only one of concurrent uses of the same response through', async () => {
    const { request, requestId } = await start();
    const response = samlResponse({ request });
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => answer(provider, response, requestId)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as SsoRefused).reason).toMatch(/already used/);
  });

  it('refuses a wrong audience, recipient, destination or issuer', async () => {
    expect(await refusal({ audience: 'https://other-sp.example/metadata' })).toMatch(
      /another service.*audience/,
    );
    expect(await refusal({ audience: samlServiceProvider(t.config, other).entityId })).toMatch(
      /another service/,
    );
    expect(await refusal({ recipient: 'https://other-sp.example/acs' })).toMatch(/recipient/);
    expect(await refusal({ recipient: samlServiceProvider(t.config, other).acsUrl })).toMatch(/recipient/);
    expect(await refusal({ destination: 'https://other-sp.example/acs' })).toMatch(/destination/);
    // No Destination is allowed (the assertion's Recipient is what is signed).
    expect((await signIn({ destination: null })).identity.email).toBe('alice@example.com');
    // The issuer must be this provider's entity id, though the same key signs (a multi-tenant IdP).
    expect(await refusal({ issuer: 'https://idp.example.test/another-tenant' })).toMatch(/issuer/);
    const sameKey = await makeProvider({ saml_entity_id: 'https://idp.example.test/another-tenant' });
    expect(await refusal({}, sameKey)).toMatch(/issuer/);
  });

  it('refuses a response to an unknown, expired, answered or other provider’s request, and unsolicited ones', async () => {
    const { request, requestId } = await start();
    const unknown = `_${randomBytes(24).toString('base64url')}`;
    expect(
      await reason(answer(provider, samlResponse({ request, inResponseTo: unknown }), requestId)),
    ).toMatch(/no pending sign-in request/);
    expect(await reason(answer(provider, samlResponse({ request, inResponseTo: '_x1' }), requestId))).toMatch(
      /no sign-in request of ours/,
    );
    // Expired by the app's clock.
    const late = await start(provider, { expiresAt: new Date(t.clock.now().getTime() - 1000) });
    expect(await reason(answer(provider, samlResponse({ request: late.request }), late.requestId))).toMatch(
      /request it answers has expired/,
    );
    // A request sent to another provider, answered at this one (with this one's audience and ACS).
    const theirs = await start(other);
    expect(
      await reason(
        answer(provider, samlResponse({ request: { ...request, id: theirs.request.id } }), theirs.requestId),
      ),
    ).toMatch(/another provider/);
    // Unsolicited (IdP-initiated): no InResponseTo at all.
    expect(await reason(answer(provider, samlResponse({ request, inResponseTo: null }), requestId))).toMatch(
      /unsolicited/,
    );
    expect(await reason(answer(provider, samlResponse({ request, inResponseTo: null })))).toMatch(
      /unsolicited/,
    );
    // An unsolicited assertion wrapped in a Response that names our pending request (node-saml#433).
    expect(
      await reason(
        answer(
          provider,
          samlResponse({ request, inResponseTo: null, responseInResponseTo: request.id }),
          requestId,
        ),
      ),
    ).toMatch(/does not answer our request/);
    // A RelayState that is not the request answered.
    const wrongRelay = await start();
    expect(await reason(answer(provider, samlResponse({ request: wrongRelay.request }), requestId))).toMatch(
      /RelayState/,
    );
    // The good response to the first request still works (nothing above used it up).
    expect((await answer(provider, samlResponse({ request }), requestId)).requestId).toBe(requestId);
  });

  it('refuses garbage: no response, not base64, not XML, not a SAML Response, a DOCTYPE', async () => {
    const { request, requestId } = await start();
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(await reason(answer(provider, undefined, requestId))).toMatch(/no SAMLResponse/);
    expect(await reason(answer(provider, '', requestId))).toMatch(/no SAMLResponse/);
    expect(await reason(answer(provider, 'not base64 at all!', requestId))).toMatch(/not base64/);
    expect(await reason(answer(provider, b64('hello, world'), requestId))).toMatch(/not valid XML/);
    expect(await reason(answer(provider, b64('<a><b></a>'), requestId))).toMatch(/not valid XML/);
    expect(await reason(answer(provider, b64('<html><body>Hi</body></html>'), requestId))).toMatch(
      /not a SAML 2.0 Response/,
    );
    const xml = Buffer.from(samlResponse({ request }), 'base64').toString();
    const doctype = `<!DOCTYPE r [<!ENTITY x "alice@example.com">]>${xml}`;
    expect(await reason(answer(provider, b64(doctype), requestId))).toMatch(/DOCTYPE/);
    expect(await reason(answer(provider, b64('x'.repeat(2_000_000)), requestId))).toMatch(/too large/);
    expect(await reason(answer(provider, 123 as unknown as string, requestId))).toMatch(/no SAMLResponse/);
    // A failure status from the provider.
    const failed = xml
      .replace('status:Success', 'status:Responder')
      .replace(/<saml:Assertion[\s\S]*<\/saml:Assertion>/, '');
    expect(await reason(answer(provider, b64(failed), requestId))).toMatch(/refused the sign-in|Responder/);
  });

  it('refuses a person without an email address, a transient NameID, and a provider without certificates', async () => {
    expect(
      await refusal({
        nameId: 'opaque-123',
        nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
        attributes: { displayName: 'No Mail' },
      }),
    ).toMatch(/no email/);
    expect(
      await refusal({ nameId: '_t123', nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' }),
    ).toMatch(/transient/);
    const broken = await makeProvider({ saml_certificates: [] });
    const { request, requestId } = await start(provider);
    expect(await reason(answer(broken, samlResponse({ request }), requestId))).toMatch(/certificate/);
    await expect(samlRedirectUrl(t.db, t.config, broken, requestId)).rejects.toThrow(SsoRefused);
  });
});

describe(`SAML metadata (${databaseKind})`, () => {
  const invalid = (xml: string): string => {
    try {
      parseIdpMetadata(xml);
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).fields.metadata as string;
    }
    throw new Error('accepted');
  };

  it('reads the entity id, the HTTP-Redirect sign-in address and the signing certificates', () => {
    const parsed = parseIdpMetadata(idpMetadata({ certificates: [IDP_KEYS.cert, ATTACKER_KEYS.cert] }));
    expect(parsed.entityId).toBe(IDP_ENTITY_ID);
    expect(parsed.ssoUrl).toBe(IDP_SSO_URL);
    expect(parsed.certificates).toHaveLength(2);
    expect(parsed.certificates[0]?.replace(/\s+/g, '')).toBe(IDP_KEYS.cert.replace(/\s+/g, ''));
    // HTTP-POST when there is no HTTP-Redirect; loopback http is allowed (a local IdP).
    expect(parseIdpMetadata(idpMetadata({ bindings: ['HTTP-POST'] })).ssoUrl).toBe(`${IDP_SSO_URL}/post`);
    expect(parseIdpMetadata(idpMetadata({ ssoUrl: 'http://127.0.0.1:8080/sso' })).ssoUrl).toBe(
      'http://127.0.0.1:8080/sso',
    );
    // An aggregate with one IdP among SPs, and a key without `use` (signing and encryption).
    const inner = idpMetadata()
      .replace(/<\?xml[^>]*>/, '')
      .replace(' use="signing"', '');
    const aggregate = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${inner}<md:EntityDescriptor entityID="https://sp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor></md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(aggregate).certificates).toHaveLength(1);
  });

  it('refuses unusable metadata with a message saying why', () => {
    expect(invalid('')).toMatch(/Paste/);
    expect(invalid('not xml at all')).toMatch(/not valid XML/);
    expect(invalid('<a><b></a>')).toMatch(/not valid XML/);
    expect(invalid('<EntityDescriptor entityID="x"/>')).toMatch(/not SAML metadata/);
    expect(
      invalid(
        idpMetadata()
          .replace('IDPSSODescriptor', 'SPSSODescriptor')
          .replace('IDPSSODescriptor', 'SPSSODescriptor'),
      ),
    ).toMatch(/no SAML 2.0 identity provider/);
    expect(invalid(idpMetadata({ certificates: [] }))).toMatch(/no signing certificate/);
    expect(invalid(idpMetadata().replaceAll('use="signing"', 'use="encryption"'))).toMatch(
      /no signing certificate/,
    );
    expect(
      invalid(idpMetadata().replace(/<ds:X509Certificate>[^<]*/, '<ds:X509Certificate>bm90IGEgY2VydA==')),
    ).toMatch(/not a valid X\.509/);
    expect(invalid(idpMetadata({ ssoUrl: 'http://idp.example.test/sso' }))).toMatch(/must use https/);
    expect(invalid(idpMetadata({ ssoUrl: 'javascript:alert(1)' }))).toMatch(/must use https/);
    expect(invalid(idpMetadata({ ssoUrl: 'not a url' }))).toMatch(/not a URL/);
    expect(invalid(idpMetadata({ bindings: [] }))).toMatch(/no SingleSignOnService/);
    expect(invalid(idpMetadata({ entityId: '' }))).toMatch(/no entityID/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${idpMetadata().replace(/<\?xml[^>]*>/, '')}`;
    expect(invalid(xxe)).toMatch(/DOCTYPE/);
    expect(invalid(`${idpMetadata()}<!--${'x'.repeat(256 * 1024)}-->`)).toMatch(/256 KB/);
    const two = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${idpMetadata().replace(/<\?xml[^>]*>/, '')}${idpMetadata({ entityId: 'https://second' }).replace(/<\?xml[^>]*>/, '')}</md:EntitiesDescriptor>`;
    expect(invalid(two)).toMatch(/several identity providers/);
  });

  it('publishes our SP metadata: entity id, HTTP-POST assertion consumer, signed assertions wanted', () => {
    const xml = serviceProviderMetadata(t.config, provider);
    const sp = samlServiceProvider(t.config, provider);
    expect(xml).toContain(`entityID="${sp.entityId}"`);
    expect(xml).toContain(`Location="${sp.acsUrl}"`);
    expect(xml).toContain('Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"');
    expect(xml).toContain('WantAssertionsSigned="true"');
    expect(xml).not.toContain('NameIDFormat');
  });
});
