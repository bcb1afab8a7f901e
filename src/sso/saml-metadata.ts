import { X509Certificate } from 'node:crypto';
import { generateServiceProviderMetadata } from '@node-saml/node-saml';
import type { Config } from '../config';
import { ValidationError } from '../core/errors';
import { isLoopbackUrl } from './oidc-client';
import { parseStrictXml } from './saml-xml';

/**
 * SAML metadata, both ways: what Gatehouse publishes as the service provider of one identity
 * provider, and what an admin pastes from their identity provider (its entity id, sign-in
 * address and signing certificates). Validation of the provider's answers is in saml.ts.
 */

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export const MAX_METADATA_BYTES = 256 * 1024;

/** Gatehouse as the service provider of one identity provider: its entity id and assertion consumer. */
export function samlServiceProvider(
  config: Pick<Config, 'publicUrl'>,
  provider: { id: string },
): { entityId: string; acsUrl: string } {
  const base = `${config.publicUrl}/sso/${encodeURIComponent(provider.id)}/saml`;
  return { entityId: `${base}/metadata`, acsUrl: `${base}/acs` };
}

/**
 * Our SP metadata for the admin to give their identity provider: the entity id, the assertion
 * consumer (HTTP-POST) and WantAssertionsSigned. No NameIDFormat (we ask for none: saml.ts reads
 * the email from the NameID or the attributes) and no keys: Gatehouse does not sign its requests
 * (they carry nothing secret) and does not take encrypted assertions.
 */
export function serviceProviderMetadata(config: Config, provider: { id: string }): string {
  const sp = samlServiceProvider(config, provider);
  return generateServiceProviderMetadata({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    identifierFormat: null,
    wantAssertionsSigned: true,
  });
}

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  /** PEM, one per signing certificate (several while the provider rolls its key over). */
  certificates: string[];
}

const refuse = (message: string): never => {
  throw new ValidationError({ metadata: message });
};

/**
 * The identity provider's metadata XML, as an admin pastes or uploads it: its entity id, the
 * HTTP-Redirect (else HTTP-POST) SingleSignOnService and the signing certificates. Anything
 * unusable is a ValidationError on `metadata` that says what is wrong. A DOCTYPE is refused
 * outright (no entity expansion, whatever the parser would do with it).
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (typeof xml !== 'string' || !xml.trim()) refuse('Paste the identity provider’s metadata XML.');
  if (Buffer.byteLength(xml, 'utf8') > MAX_METADATA_BYTES)
    refuse('The metadata is larger than 256 KB: paste the identity provider’s own metadata only.');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    refuse('The metadata has a DOCTYPE or entity declaration, which is refused: remove it.');

  let root: Element;
  try {
    root = parseStrictXml(xml);
  } catch {
    return refuse('The metadata is not valid XML.');
  }
  if (root.namespaceURI !== MD || !['EntityDescriptor', 'EntitiesDescriptor'].includes(root.localName))
    refuse('This is not SAML metadata: it has no EntityDescriptor.');

  // An aggregate (EntitiesDescriptor) is accepted when exactly one of its entities is an IdP.
  const entities = (
    root.localName === 'EntityDescriptor' ? [root] : elements(root, MD, 'EntityDescriptor')
  ).filter((entity) => idpDescriptor(entity) !== null);
  if (entities.length === 0)
    refuse('The metadata describes no SAML 2.0 identity provider (no IDPSSODescriptor).');
  if (entities.length > 1)
    refuse('The metadata describes several identity providers: use the metadata of yours only.');
  const entity = entities[0] as Element;
  const idp = idpDescriptor(entity) as Element;

  const entityId = entity.getAttribute('entityID')?.trim() ?? '';
  if (!entityId) refuse('The metadata has no entityID.');
  if (entityId.length > 1024) refuse('The metadata’s entityID is longer than 1024 characters.');

  const services = children(idp, MD, 'SingleSignOnService');
  const service =
    services.find((s) => s.getAttribute('Binding') === HTTP_REDIRECT) ??
    services.find((s) => s.getAttribute('Binding') === HTTP_POST);
  if (!service)
    refuse('The metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.');
  const ssoUrl = (service as Element).getAttribute('Location')?.trim() ?? '';
  let url: URL;
  try {
    url = new URL(ssoUrl);
  } catch {
    return refuse('The metadata’s sign-in address (SingleSignOnService Location) is not a URL.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(url)))
    refuse('The sign-in address (SingleSignOnService Location) must use https.');
  if (url.username || url.password) refuse('The sign-in address must not hold a user name or password.');
  if (ssoUrl.length > 2048) refuse('The sign-in address is longer than 2048 characters.');

  const certificates: string[] = [];
  for (const key of children(idp, MD, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    // No `use`: the key is for both signing and encryption.
    if (use && use !== 'signing') continue;
    for (const node of elements(key, DS, 'X509Certificate')) {
      const pem = certificatePem(node.textContent ?? '');
      if (!pem) refuse('A signing certificate in the metadata is not a valid X.509 certificate.');
      if (!certificates.includes(pem as string)) certificates.push(pem as string);
    }
  }
  if (certificates.length === 0)
    refuse('The metadata has no signing certificate (KeyDescriptor use="signing").');
  if (certificates.length > 10) refuse('The metadata has more than 10 signing certificates.');
  return { entityId, ssoUrl, certificates };
}

function idpDescriptor(entity: Element): Element | null {
  return (
    children(entity, MD, 'IDPSSODescriptor').find((d) =>
      (d.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL),
    ) ?? null
  );
}

function children(parent: Element, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (node.nodeType === 1 && element.namespaceURI === ns && element.localName === localName)
      found.push(element);
  }
  return found;
}

function elements(parent: Element, ns: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, localName));
}

/** The certificate as PEM (64-character lines), or null when it does not parse as X.509. */
function certificatePem(text: string): string | null {
  const base64 = text.replace(/\s+/g, '');
  if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return null;
  try {
    const certificate = new X509Certificate(Buffer.from(base64, 'base64'));
    const der = certificate.raw.toString('base64');
    return `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
  } catch {
    return null;
  }
}
