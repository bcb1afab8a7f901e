import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

/**
 * A test SAML 2.0 identity provider: its metadata, and Responses as a real IdP signs them
 * (xml-crypto, RSA-SHA256, exclusive c14n, an enveloped signature referencing the Assertion's
 * ID), plus the broken and hostile variants the service provider must refuse.
 *
 * The usual end-to-end use:
 *
 *   // the provider: insert { name, ...samlProviderColumns() } into identity_providers, or have
 *   // the admin form parse idpMetadata()
 *   … the flow redirects the browser to `location` (the IdP's sign-in address) …
 *   const request = readAuthnRequest(location);            // what the SP asked
 *   const SAMLResponse = samlResponse({ request });         // a good answer, base64
 *   const hostile = samlResponse({ request, xsw: 'advice' }); // or any option below
 *   POST form { SAMLResponse, RelayState: request.relayState } to request.acsUrl
 *
 * Every option defaults to what a well-behaved IdP sends for alice@example.com; the options
 * change one thing each (issuer, audience, recipient, destination, InResponseTo, times, NameID,
 * attributes, AuthnContextClassRef, what is signed and with which key, tampering, wrapping).
 *
 * Keys: test/fixtures/saml/ (test only, never trust them anywhere).
 */

const read = (file: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/saml/${file}`, import.meta.url)), 'utf8');

export interface KeyPair {
  key: string;
  /** PEM certificate (self-signed). */
  cert: string;
}
/** The test IdP's signing key and certificate. */
export const IDP_KEYS: KeyPair = { key: read('idp-key.pem'), cert: read('idp-cert.pem') };
/** Someone else's key pair: signatures made with it must be refused. */
export const ATTACKER_KEYS: KeyPair = { key: read('attacker-key.pem'), cert: read('attacker-cert.pem') };

export const IDP_ENTITY_ID = 'https://idp.example.test/saml/metadata';
export const IDP_SSO_URL = 'https://idp.example.test/saml/sso';

/** The identity_providers columns of a SAML provider backed by this IdP (add `name`). */
export function samlProviderColumns(overrides: { entityId?: string; certificates?: string[] } = {}) {
  return {
    kind: 'saml' as const,
    saml_entity_id: overrides.entityId ?? IDP_ENTITY_ID,
    saml_sso_url: IDP_SSO_URL,
    saml_certificates: overrides.certificates ?? [IDP_KEYS.cert],
  };
}

const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
};

const xmlEscape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const base64Body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');

/** The IdP's metadata XML (an EntityDescriptor with an IDPSSODescriptor). */
export function idpMetadata(
  options: {
    entityId?: string;
    ssoUrl?: string;
    /** PEM certificates listed as signing keys; default the IdP's. */
    certificates?: string[];
    /** The SingleSignOnService bindings listed; default HTTP-Redirect and HTTP-POST. */
    bindings?: Array<'HTTP-Redirect' | 'HTTP-POST'>;
  } = {},
): string {
  const certificates = options.certificates ?? [IDP_KEYS.cert];
  const bindings = options.bindings ?? ['HTTP-POST', 'HTTP-Redirect'];
  const ssoUrl = options.ssoUrl ?? IDP_SSO_URL;
  return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" entityID="${xmlEscape(options.entityId ?? IDP_ENTITY_ID)}">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="${NS.samlp}">
${certificates
  .map(
    (cert) => `    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Body(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>`,
  )
  .join('\n')}
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
${bindings
  .map(
    (binding) =>
      `    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${xmlEscape(ssoUrl)}${binding === 'HTTP-POST' ? '/post' : ''}"/>`,
  )
  .join('\n')}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;
}

/** What the service provider asked for, read from its HTTP-Redirect URL. */
export interface AuthnRequestInfo {
  /** The AuthnRequest ID: the Response's InResponseTo. */
  id: string;
  /** The SP's entity id (the AuthnRequest's Issuer): the assertion's audience. */
  spEntityId: string;
  /** AssertionConsumerServiceURL: where the Response is posted (Destination, Recipient). */
  acsUrl: string;
  relayState: string | null;
  /** The URL the browser was sent to, without its query. */
  destination: string;
  xml: string;
}

/** Decodes the SAMLRequest (DEFLATE, base64) of an HTTP-Redirect URL. */
export function readAuthnRequest(redirectUrl: string | URL): AuthnRequestInfo {
  const url = new URL(redirectUrl);
  const encoded = url.searchParams.get('SAMLRequest');
  if (!encoded) throw new Error(`No SAMLRequest in ${url}`);
  const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
  const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
  const issuer = root.getElementsByTagNameNS(NS.saml, 'Issuer')[0]?.textContent ?? '';
  return {
    id: root.getAttribute('ID') ?? '',
    spEntityId: issuer,
    acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '',
    relayState: url.searchParams.get('RelayState'),
    destination: `${url.origin}${url.pathname}`,
    xml,
  };
}

export interface SamlResponseOptions {
  /** The request answered (readAuthnRequest); sets InResponseTo, audience, recipient and destination. */
  request: Pick<AuthnRequestInfo, 'id' | 'spEntityId' | 'acsUrl'>;
  /** NameID (default alice@example.com) and its Format (default emailAddress; null: none). */
  nameId?: string;
  nameIdFormat?: string | null;
  /** AttributeStatement: one value or several per name. */
  attributes?: Record<string, string | string[]>;
  /** Default PasswordProtectedTransport. */
  authnContextClassRef?: string;
  /** The Assertion's Issuer (and the Response's); default IDP_ENTITY_ID. */
  issuer?: string;
  /** Overrides of what `request` gives. `inResponseTo: null`: an unsolicited (IdP-initiated) response. */
  audience?: string;
  recipient?: string;
  /** The Response's Destination; null leaves it out. */
  destination?: string | null;
  inResponseTo?: string | null;
  /** Only the Response's InResponseTo, not the assertion's (a wrapped unsolicited assertion). */
  responseInResponseTo?: string;
  /** Default: now (IssueInstant), now - 1 min (NotBefore), now + 5 min (NotOnOrAfter, also the confirmation's). */
  now?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** What is signed: the Assertion (default), the Response, both, or nothing. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Default IDP_KEYS; ATTACKER_KEYS for a forged signature. */
  keys?: KeyPair;
  /** Changes the final XML after signing (a tampered response). */
  tamper?: (xml: string) => string;
  /**
   * Signature wrapping: the genuine signed assertion (for `nameId`) is kept somewhere and an
   * unsigned one for `evil@attacker.test` is put where an SP might read it.
   * - 'sibling': the evil assertion first, the signed one after it (two assertions);
   * - 'extensions': the signed assertion moved into the Response's Extensions, the evil one in its place;
   * - 'advice': the evil assertion carries the genuine Signature, the signed assertion inside its Advice;
   * - 'same-id': like 'extensions', the evil assertion with the genuine one's ID and Signature.
   */
  xsw?: 'sibling' | 'extensions' | 'advice' | 'same-id';
  /** The Assertion's ID (default random): the same ID twice is a replay. */
  assertionId?: string;
}

export const EVIL_NAME_ID = 'evil@attacker.test';

/** A SAML 2.0 Response, base64-encoded as the HTTP-POST binding sends it (the form's SAMLResponse). */
export function samlResponse(options: SamlResponseOptions): string {
  return Buffer.from(samlResponseXml(options), 'utf8').toString('base64');
}

/** The same Response as XML, before base64. */
export function samlResponseXml(options: SamlResponseOptions): string {
  const now = options.now ?? new Date();
  const notBefore = options.notBefore ?? new Date(now.getTime() - 60_000);
  const notOnOrAfter = options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const issuer = options.issuer ?? IDP_ENTITY_ID;
  const inResponseTo = options.inResponseTo === undefined ? options.request.id : options.inResponseTo;
  const responseInResponseTo = options.responseInResponseTo ?? inResponseTo;
  const recipient = options.recipient ?? options.request.acsUrl;
  const destination = options.destination === undefined ? options.request.acsUrl : options.destination;
  const sign = options.sign ?? 'assertion';
  const keys = options.keys ?? IDP_KEYS;
  const assertionId = options.assertionId ?? `_a${randomUUID().replaceAll('-', '')}`;
  const responseId = `_r${randomUUID().replaceAll('-', '')}`;

  const assertion = (id: string, nameId: string) => {
    const format =
      options.nameIdFormat === undefined
        ? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
        : options.nameIdFormat;
    const attributes = Object.entries(options.attributes ?? {})
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified">${(Array.isArray(
            value,
          )
            ? value
            : [value]
          )
            .map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`)
            .join('')}</saml:Attribute>`,
      )
      .join('');
    return (
      `<saml:Assertion xmlns:saml="${NS.saml}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}">` +
      `<saml:Issuer>${xmlEscape(issuer)}</saml:Issuer>` +
      `<saml:Subject><saml:NameID${format ? ` Format="${xmlEscape(format)}"` : ''}>${xmlEscape(nameId)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo ? ` InResponseTo="${xmlEscape(inResponseTo)}"` : ''} NotOnOrAfter="${notOnOrAfter.toISOString()}" Recipient="${xmlEscape(recipient)}"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore.toISOString()}" NotOnOrAfter="${notOnOrAfter.toISOString()}"><saml:AudienceRestriction><saml:Audience>${xmlEscape(options.audience ?? options.request.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id}"><saml:AuthnContext><saml:AuthnContextClassRef>${xmlEscape(options.authnContextClassRef ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport')}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
      `</saml:Assertion>`
    );
  };

  let xml =
    `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${responseId}" Version="2.0" IssueInstant="${now.toISOString()}"` +
    `${destination ? ` Destination="${xmlEscape(destination)}"` : ''}${responseInResponseTo ? ` InResponseTo="${xmlEscape(responseInResponseTo)}"` : ''}>` +
    `<saml:Issuer>${xmlEscape(issuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion(assertionId, options.nameId ?? 'alice@example.com') +
    `</samlp:Response>`;

  if (sign === 'assertion' || sign === 'both') xml = signElement(xml, 'Assertion', keys);
  if (options.xsw)
    xml = wrap(xml, options.xsw, assertion(`_evil${randomUUID().replaceAll('-', '')}`, EVIL_NAME_ID));
  if (sign === 'response' || sign === 'both') xml = signElement(xml, 'Response', keys);
  return options.tamper ? options.tamper(xml) : xml;
}

/** Signs the (first) element of that local name, the Signature placed after its Issuer. */
function signElement(xml: string, localName: 'Assertion' | 'Response', keys: KeyPair): string {
  const element = `//*[local-name(.)='${localName}']`;
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: element,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${element}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

/** The signature-wrapping variants (see SamlResponseOptions.xsw). */
function wrap(signedXml: string, variant: NonNullable<SamlResponseOptions['xsw']>, evilXml: string): string {
  const doc = new DOMParser().parseFromString(signedXml, 'text/xml');
  const response = doc.documentElement;
  const genuine = response.getElementsByTagNameNS(NS.saml, 'Assertion')[0] as Element;
  const evil = new DOMParser().parseFromString(evilXml, 'text/xml').documentElement;
  const imported = doc.importNode(evil, true) as Element;
  const signature = genuine.getElementsByTagNameNS(NS.ds, 'Signature')[0] as Element;
  const evilIssuer = imported.getElementsByTagNameNS(NS.saml, 'Issuer')[0] as Element;

  if (variant === 'sibling') {
    response.insertBefore(imported, genuine);
  } else if (variant === 'extensions' || variant === 'same-id') {
    if (variant === 'same-id') {
      imported.setAttribute('ID', genuine.getAttribute('ID') as string);
      imported.insertBefore(signature.cloneNode(true), evilIssuer.nextSibling);
    }
    response.replaceChild(imported, genuine);
    const extensions = doc.createElementNS(NS.samlp, 'samlp:Extensions');
    extensions.appendChild(genuine);
    response.insertBefore(extensions, response.getElementsByTagNameNS(NS.samlp, 'Status')[0] as Element);
  } else {
    // The genuine Signature moves to the evil assertion; the genuine assertion (its digest still
    // matches: the enveloped transform removed the Signature anyway) hides in the evil one's Advice.
    response.replaceChild(imported, genuine);
    genuine.removeChild(signature);
    imported.insertBefore(signature, evilIssuer.nextSibling);
    const advice = doc.createElementNS(NS.saml, 'saml:Advice');
    advice.appendChild(genuine);
    imported.insertBefore(advice, imported.getElementsByTagNameNS(NS.saml, 'AuthnStatement')[0] as Element);
  }
  return new XMLSerializer().serializeToString(doc);
}
