import { type CacheProvider, type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { Selectable } from 'kysely';
import type { Config } from '../config';
import type { Db } from '../db/connect';
import type { IdentityProvidersTable } from '../db/schema';
import { type SsoIdentity, SsoRefused } from './identity';
import { assertsMultipleFactors } from './oidc-client';
import { samlServiceProvider } from './saml-metadata';
import { parseStrictXml } from './saml-xml';

export { parseIdpMetadata, samlServiceProvider, serviceProviderMetadata } from './saml-metadata';

/**
 * Gatehouse as a SAML 2.0 service provider of a company's identity provider, through
 * `@node-saml/node-saml` 5.1.0: the XML signature (against the provider's certificates only,
 * reading only the bytes the signature covers: the fix of CVE-2025-54419), the validity window,
 * the audience and InResponseTo are the library's. What node-saml 5.1.0 does not check is checked
 * here, from the signed assertion it returns (never from the raw XML): the assertion's issuer, the
 * bearer SubjectConfirmationData's Recipient and InResponseTo (node-saml#405, #433), and replays.
 * The one thing read from the unsigned envelope is its Destination (node-saml#437), compared
 * with our own address.
 *
 * The sign-in flow inserts the pending request (`sso_requests`) before asking for the redirect,
 * and keeps the identity this returns in that row until the browser comes back to finish.
 */

export type ProviderRow = Selectable<IdentityProvidersTable>;

const PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
const EMAIL_FORMATS = new Set([
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:emailAddress',
]);

/**
 * Clock skew accepted on every NotBefore / NotOnOrAfter: two minutes. Our servers and the
 * provider's keep time by NTP, yet tens of seconds of drift happen (virtual machines after a
 * pause, a fleet behind a load balancer), and a provider a little ahead makes a fresh assertion
 * "not yet valid" here. Two minutes absorbs that and no more; node-saml's default, 0, refuses
 * good sign-ins at the first second of drift. It does not lengthen replays: a used assertion is
 * kept until its end plus this skew.
 */
export const CLOCK_SKEW_MS = 120_000;
/** An assertion older than this (from its IssueInstant) is refused, whatever its NotOnOrAfter. */
export const MAX_ASSERTION_AGE_MS = 60 * 60_000;
/**
 * node-saml's own bound on a request's age, from the row's created_at: a backstop only, the
 * row's expires_at (checked against `now` in the cache below) is the rule.
 */
const REQUEST_MAX_AGE_MS = 24 * 60 * 60_000;
/** Larger than any real Response (Entra lists at most 150 groups before it sends a link instead). */
const MAX_RESPONSE_BASE64 = 1024 * 1024;

/**
 * The AuthnRequest ID for one pending request: the request id behind "_" (an ID must be an XML
 * NCName: it may not begin with a digit or "-"). The request id is what the flow made (random
 * base64url); anything else is refused rather than silently mangled.
 */
export function authnRequestId(requestId: string): string {
  if (!/^[A-Za-z0-9_-]{16,80}$/.test(requestId))
    throw new Error('The sign-in request id must be 16 to 80 base64url characters.');
  return `_${requestId}`;
}

/** The pending request an InResponseTo names, or null when it cannot be one of ours. */
function requestIdOf(samlId: string): string | null {
  const requestId = samlId.slice(1);
  return samlId.startsWith('_') && /^[A-Za-z0-9_-]{16,80}$/.test(requestId) ? requestId : null;
}

function samlFor(
  config: Config,
  provider: ProviderRow,
  extra: { generateUniqueId?: () => string; cacheProvider: CacheProvider },
): SAML {
  if (provider.kind !== 'saml') throw new SsoRefused('the provider is not a SAML provider');
  const certificates = provider.saml_certificates ?? [];
  if (!provider.saml_entity_id || !provider.saml_sso_url || certificates.length === 0)
    throw new SsoRefused('the provider has no SAML entity id, sign-in address or certificate');
  const sp = samlServiceProvider(config, provider);
  return new SAML({
    entryPoint: provider.saml_sso_url,
    issuer: sp.entityId,
    audience: sp.entityId,
    callbackUrl: sp.acsUrl,
    idpCert: certificates,
    // Only used by node-saml for logout messages; the assertion's issuer is checked below.
    idpIssuer: provider.saml_entity_id,
    // The assertion must carry its own valid signature by one of the provider's certificates;
    // the envelope's signature is optional (IdPs differ), and nothing about the person is read
    // from the envelope anyway.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_MAX_AGE_MS,
    acceptedClockSkewMs: CLOCK_SKEW_MS,
    maxAssertionAgeMs: MAX_ASSERTION_AGE_MS,
    // No NameIDPolicy Format (the provider sends its configured NameID) and no
    // RequestedAuthnContext: node-saml's default (PasswordProtectedTransport, "exact") makes
    // Entra refuse people who signed in another way (AADSTS75011).
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    ...extra,
  });
}

/**
 * Where to send the browser: the provider's sign-in address with an AuthnRequest (HTTP-Redirect
 * binding) whose ID is derived from `requestId`, and RelayState = `requestId`. The pending
 * request must already be in `sso_requests` for this provider.
 */
export async function samlRedirectUrl(
  db: Db,
  config: Config,
  provider: ProviderRow,
  requestId: string,
): Promise<string> {
  const id = authnRequestId(requestId);
  const saml = samlFor(config, provider, {
    generateUniqueId: () => id,
    cacheProvider: {
      // node-saml "saves" the ID it just generated: ours is the row the flow inserted first.
      saveAsync: async (key, value) => {
        const row = await db
          .selectFrom('sso_requests')
          .select('id')
          .where('id', '=', requestId)
          .where('provider_id', '=', provider.id)
          .executeTakeFirst();
        if (key !== id || !row) throw new Error('The sign-in request must be recorded before the redirect.');
        return { value, createdAt: Date.now() };
      },
      getAsync: async () => null,
      removeAsync: async (key) => key,
    },
  });
  return saml.getAuthorizeUrlAsync(requestId, undefined, {});
}

type Xml = Record<string, unknown>;
const list = (value: unknown): Xml[] => (Array.isArray(value) ? (value as Xml[]) : []);
const attrs = (node: Xml | undefined): Record<string, string> =>
  ((node?.$ as Record<string, string> | undefined) ?? {}) as Record<string, string>;
const text = (node: unknown): string | null =>
  typeof node === 'string'
    ? node
    : typeof (node as Xml | undefined)?._ === 'string'
      ? ((node as Xml)._ as string)
      : null;

/** A value from the response, fit for the audit trail: no control characters, 200 characters at most. */
function quote(value: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = String(value ?? 'none').replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/** node-saml's error messages, grouped into the reasons the audit trail shows. */
function refusalFor(message: string, pendingMiss: string | null): SsoRefused {
  const detail = quote(message);
  if (/InResponseTo is missing/.test(message))
    return new SsoRefused('the response answers no request of ours (unsolicited responses are refused)');
  if (/InResponseTo is not valid/i.test(message))
    return new SsoRefused(pendingMiss ?? 'the response answers no pending sign-in request');
  if (/InResponseTo does not match/.test(message))
    return new SsoRefused('the assertion answers another request than the response');
  if (/not yet valid/.test(message)) return new SsoRefused(`the assertion is not yet valid (${detail})`);
  if (/expired/.test(message)) return new SsoRefused(`the assertion has expired (${detail})`);
  if (/No valid subject confirmation/.test(message))
    return new SsoRefused(
      'the assertion has expired or is not yet valid (no subject confirmation valid now)',
    );
  if (/audience|AudienceRestriction/i.test(message))
    return new SsoRefused(`the assertion is for another service (${detail})`);
  if (
    /signature|signed|Referenced node|ID cannot refer|multiple assertions|transforms|Cannot obtain assertion/i.test(
      message,
    )
  )
    return new SsoRefused(`the signature is missing or not valid (${detail})`);
  if (/Responder|Requester|status/i.test(message))
    return new SsoRefused(`the provider refused the sign-in (${detail})`);
  if (/decrypt/i.test(message)) return new SsoRefused('encrypted assertions are not supported');
  return new SsoRefused(`the response is not valid (${detail})`);
}

/**
 * The provider's answer at the assertion consumer (HTTP-POST): the Response checked (see the top
 * of this file), the assertion recorded as used, and the identity read from the validated profile.
 * Returns the pending request it answers (from the signed InResponseTo). Any refusal is an
 * SsoRefused with the reason; only a database failure is anything else.
 *
 * `now` is the app's clock, for the pending request's expiry and the used-assertion record;
 * node-saml checks the assertion's validity window against the system clock (`Date`).
 */
export async function samlIdentity(
  db: Db,
  config: Config,
  provider: ProviderRow,
  form: { SAMLResponse?: string; RelayState?: string },
  now: Date,
): Promise<{ identity: SsoIdentity; requestId: string }> {
  const sp = samlServiceProvider(config, provider);
  const envelope = readEnvelope(form.SAMLResponse);

  // Why the pending request was not found, for a reason better than node-saml's own; and a
  // database failure, which is not the response's fault and is rethrown as it is.
  let pendingMiss: string | null = null;
  let databaseError: unknown = null;
  const cacheProvider: CacheProvider = {
    saveAsync: async () => null,
    getAsync: async (key) => {
      const requestId = requestIdOf(key);
      if (!requestId) {
        pendingMiss = 'the response answers no sign-in request of ours';
        return null;
      }
      let row: { provider_id: string; expires_at: Date; created_at: Date; identity: unknown } | undefined;
      try {
        row = await db
          .selectFrom('sso_requests')
          .select(['provider_id', 'expires_at', 'created_at', 'identity'])
          .where('id', '=', requestId)
          .executeTakeFirst();
      } catch (error) {
        databaseError = error;
        throw error;
      }
      if (!row) pendingMiss = 'the response answers no pending sign-in request (unknown or finished)';
      else if (row.provider_id !== provider.id)
        pendingMiss = 'the response answers a sign-in request sent to another provider';
      else if (row.expires_at.getTime() <= now.getTime())
        pendingMiss = 'the sign-in request it answers has expired';
      else if (row.identity != null) pendingMiss = 'the sign-in request it answers was already answered';
      else return row.created_at.toISOString();
      return null;
    },
    // The flow deletes the row when the sign-in finishes (it keeps the identity there until then).
    removeAsync: async (key) => key,
  };

  let profile: Profile | null;
  try {
    const saml = samlFor(config, provider, { cacheProvider });
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: envelope.base64 }));
  } catch (error) {
    if (databaseError) throw databaseError;
    if (error instanceof SsoRefused) throw error;
    throw refusalFor(error instanceof Error ? error.message : String(error), pendingMiss);
  }
  if (!profile) throw new SsoRefused('the provider did not sign the person in (no assertion)');

  // From here on, only what node-saml returns as the signed assertion is read.
  const assertion = (profile.getAssertion?.() as Xml | undefined)?.Assertion as Xml | undefined;
  if (!assertion) throw new SsoRefused('the response has no signed assertion');

  if (profile.issuer !== provider.saml_entity_id)
    throw new SsoRefused(`the assertion's issuer (${quote(profile.issuer)}) is not this provider's`);

  // InResponseTo was found pending by the cache above; it must also be in the signed assertion,
  // in a bearer confirmation addressed to our assertion consumer (SAML profiles 4.1.4.3).
  const inResponseTo = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : '';
  const requestId = requestIdOf(inResponseTo);
  if (!requestId)
    throw new SsoRefused('the response answers no request of ours (unsolicited responses are refused)');
  const confirmations = list(list(assertion.Subject)[0]?.SubjectConfirmation)
    .filter((c) => attrs(c).Method === BEARER)
    .map((c) => attrs(list(c.SubjectConfirmationData)[0]));
  if (confirmations.length === 0) throw new SsoRefused('the assertion has no bearer subject confirmation');
  const ours = confirmations.filter((data) => data.Recipient === sp.acsUrl);
  if (ours.length === 0)
    throw new SsoRefused(
      `the assertion's recipient (${quote(confirmations[0]?.Recipient)}) is not our assertion consumer`,
    );
  const nowMs = Date.now();
  const answering = ours.find(
    (data) =>
      data.InResponseTo === inResponseTo &&
      !!data.NotOnOrAfter &&
      nowMs - CLOCK_SKEW_MS < Date.parse(data.NotOnOrAfter) &&
      !(data.NotBefore && nowMs + CLOCK_SKEW_MS < Date.parse(data.NotBefore)),
  );
  if (!answering)
    throw new SsoRefused(
      ours.some((data) => data.InResponseTo === inResponseTo)
        ? 'the assertion has expired (its subject confirmation is no longer valid)'
        : 'the signed assertion does not answer our request (an unsolicited assertion, or another request’s)',
    );
  if (envelope.destination !== null && envelope.destination !== sp.acsUrl)
    throw new SsoRefused(
      `the response's destination (${quote(envelope.destination)}) is not our assertion consumer`,
    );
  if (form.RelayState !== undefined && form.RelayState !== '' && form.RelayState !== requestId)
    throw new SsoRefused('the RelayState is not the request the assertion answers');

  await recordUse(db, provider, assertion, now);
  return { identity: identityOf(provider, profile, assertion), requestId };
}

/**
 * What is read from the raw Response before node-saml: that it is base64 of a SAML Response
 * without a DOCTYPE, and its Destination (not covered by the assertion's signature; checked only
 * against our own address). Nothing about the person is ever read here.
 */
function readEnvelope(value: unknown): { base64: string; destination: string | null } {
  if (typeof value !== 'string' || !value.trim()) throw new SsoRefused('the form has no SAMLResponse');
  const base64 = value.replace(/\s+/g, '');
  if (base64.length > MAX_RESPONSE_BASE64) throw new SsoRefused('the SAMLResponse is too large');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0)
    throw new SsoRefused('the SAMLResponse is not base64');
  const xml = Buffer.from(base64, 'base64').toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SsoRefused('the response has a DOCTYPE, which is refused');
  let root: Element;
  try {
    root = parseStrictXml(xml);
  } catch {
    throw new SsoRefused('the response is not valid XML');
  }
  if (root.namespaceURI !== PROTOCOL || root.localName !== 'Response')
    throw new SsoRefused('the response is not a SAML 2.0 Response');
  return { base64, destination: root.hasAttribute('Destination') ? root.getAttribute('Destination') : null };
}

/**
 * A replay is refused: the assertion's ID is recorded (per provider) until node-saml would stop
 * accepting it, its Conditions' NotOnOrAfter or IssueInstant + the maximum age, plus the skew.
 * Inserted once; a second insert of the same ID inserts nothing.
 */
async function recordUse(db: Db, provider: ProviderRow, assertion: Xml, now: Date): Promise<void> {
  const id = attrs(assertion).ID ?? '';
  if (!id || id.length > 256) throw new SsoRefused('the assertion has no usable ID');
  const conditions = attrs(list(assertion.Conditions)[0]);
  const ends = [
    Date.parse(conditions.NotOnOrAfter ?? ''),
    Date.parse(attrs(assertion).IssueInstant ?? '') + MAX_ASSERTION_AGE_MS,
  ].filter((ms) => Number.isFinite(ms));
  const until = Math.max(ends.length ? Math.min(...ends) : 0, now.getTime(), Date.now()) + CLOCK_SKEW_MS;
  const inserted = await db
    .insertInto('sso_used_assertions')
    .values({ id: `${provider.id}:${id}`, expires_at: new Date(until) })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new SsoRefused('the assertion was already used (a replay)');
}

// Attribute names, first found wins: LDAP-style, the OIDs Shibboleth sends, and the claim URIs of
// Entra ID / AD FS.
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'emailAddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const NAME_ATTRIBUTES = [
  'displayName',
  'name',
  'urn:oid:2.16.840.1.113730.3.1.241',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
const GIVEN_NAME_ATTRIBUTES = [
  'givenName',
  'firstName',
  'given_name',
  'urn:oid:2.5.4.42',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
];
const SURNAME_ATTRIBUTES = [
  'sn',
  'surname',
  'lastName',
  'family_name',
  'urn:oid:2.5.4.4',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
];
const ENTRA_GROUPS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups';
/** Entra ID's methods (authnmethodsreferences) and Okta's "Dynamic Authentication Context" (`amr`). */
const METHOD_ATTRIBUTES = ['http://schemas.microsoft.com/claims/authnmethodsreferences', 'amr'];

/**
 * Authentication contexts that mean several factors. Entra ID and AD FS say so in
 * authnmethodsreferences (`multipleauthn`), Okta in an `amr` attribute (RFC 8176 values, `mfa`
 * among them): their AuthnContextClassRef is a single-factor class (Password,
 * PasswordProtectedTransport) or a static setting, so it is only trusted for these classes.
 */
const MULTI_FACTOR_CONTEXTS = new Set([
  'http://schemas.microsoft.com/claims/multipleauthn',
  'https://refeds.org/profile/mfa',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered',
  'urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken',
]);

const MAX_GROUPS = 1000;

function values(attributes: Xml, name: string): string[] {
  // Own properties only: an attribute named "__proto__" or "constructor" is just a name.
  const value = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
  return (Array.isArray(value) ? value : [value])
    .map((v) => text(v))
    .filter((v): v is string => v !== null)
    .map((v) => v.trim())
    .filter(Boolean);
}

function first(attributes: Xml, names: string[]): string | null {
  for (const name of names) {
    const [value] = values(attributes, name);
    if (value) return value;
  }
  return null;
}

const looksLikeEmail = (value: string) =>
  value.length <= 254 && /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(value);

function identityOf(provider: ProviderRow, profile: Profile, assertion: Xml): SsoIdentity {
  const subject = typeof profile.nameID === 'string' ? profile.nameID.trim() : '';
  if (!subject) throw new SsoRefused('the assertion has no NameID');
  if (subject.length > 255) throw new SsoRefused('the NameID is longer than 255 characters');
  // A transient NameID changes at every sign-in: it cannot identify the person next time.
  if (profile.nameIDFormat === TRANSIENT)
    throw new SsoRefused('the NameID is transient: configure a persistent or email NameID at the provider');
  const attributes = ((profile.attributes as Xml | undefined) ?? {}) as Xml;

  let email: string | null = null;
  if (EMAIL_FORMATS.has(profile.nameIDFormat ?? '') || looksLikeEmail(subject)) email = subject;
  if (!email || !looksLikeEmail(email)) {
    email = null;
    for (const name of EMAIL_ATTRIBUTES) {
      const found = values(attributes, name).find(looksLikeEmail);
      if (found) {
        email = found;
        break;
      }
    }
  }
  if (!email) throw new SsoRefused('the provider sent no email address');

  const given = first(attributes, GIVEN_NAME_ATTRIBUTES) ?? '';
  const family = first(attributes, SURNAME_ATTRIBUTES) ?? '';
  const name = first(attributes, NAME_ATTRIBUTES) ?? (`${given} ${family}`.trim() || null);

  const groups = [
    ...new Set([...values(attributes, provider.groups_attribute), ...values(attributes, ENTRA_GROUPS)]),
  ].filter((g) => g.length <= 255);

  const contexts = list(assertion.AuthnStatement).flatMap((statement) =>
    list(statement.AuthnContext).flatMap((context) =>
      list(context.AuthnContextClassRef).map((ref) => text(ref)?.trim() ?? ''),
    ),
  );
  const methods = METHOD_ATTRIBUTES.flatMap((n) => values(attributes, n));
  const mfa =
    contexts.some((c) => MULTI_FACTOR_CONTEXTS.has(c)) ||
    methods.some((m) => MULTI_FACTOR_CONTEXTS.has(m)) ||
    assertsMultipleFactors(methods);

  return {
    subject,
    email: email.toLowerCase(),
    name,
    groups: groups.slice(0, MAX_GROUPS),
    mfa,
  };
}
