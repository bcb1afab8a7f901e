import { DomainError } from '../core/errors';

/**
 * What an identity provider asserted about the person signing in, whichever protocol brought it
 * (OpenID Connect in oidc-client.ts, SAML in saml.ts): the sign-in (sign-in.ts) reads only this.
 */
export interface SsoIdentity {
  /** The provider's stable id for the person (OIDC `sub`, SAML NameID). */
  subject: string;
  /** Lower-cased. */
  email: string;
  name: string | null;
  /** The group names the provider listed (OIDC claim or SAML attribute named by the provider's groups_attribute). */
  groups: string[];
  /** The provider says the person used a second factor (OIDC `amr`, SAML AuthnContext / authnmethodsreferences). */
  mfa: boolean;
}

/**
 * The provider's answer is refused (bad signature, wrong audience, expired, replayed, unknown
 * request…): `reason` goes to the audit trail, the person sees one plain message.
 */
export class SsoRefused extends DomainError {
  override name = 'SsoRefused';
  constructor(readonly reason: string) {
    super(`Single sign-on failed: ${reason}`);
  }
}
