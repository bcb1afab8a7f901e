import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

/** Who the company's identity provider signs in next, and what it says about them. */
export interface IdpPerson {
  sub: string;
  email: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  /** RFC 8176 method references: ['pwd'] a password alone, ['pwd', 'otp'] or ['mfa'] two factors. */
  amr?: string[];
}

/**
 * A real OpenID Connect provider (`oidc-provider`, certified) standing in for a company's Okta or
 * Entra ID, on 127.0.0.1: discovery, the code flow with PKCE, signed ID tokens, user info. Its
 * sign-in page is skipped: whoever `signInAs` names is signed in at once, with their `amr`.
 */
export async function startOidcIdp(client: {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const people = new Map<string, IdpPerson>();
  let current: IdpPerson | null = null;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'idp', alg: 'RS256', use: 'sig' }] },
    // Names of its own: the tests' cookie jar sends every cookie everywhere, and Gatehouse's own
    // OpenID provider uses the defaults.
    cookies: {
      keys: ['a test identity provider'],
      names: { session: '_idp_session', interaction: '_idp_interaction', resume: '_idp_resume' },
    },
    features: { devInteractions: { enabled: false } },
    // Groups ride with the profile scope, in the ID token as Okta and Entra put them.
    claims: {
      // How the person authenticated goes in every ID token, as Okta and Entra send it.
      openid: ['sub', 'amr', 'acr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'groups'],
    },
    conformIdTokenClaims: false,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const person = people.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: person.email,
          email_verified: person.email_verified ?? true,
          ...(person.name ? { name: person.name } : {}),
          ...(person.groups ? { groups: person.groups } : {}),
        }),
      };
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (!current) throw new Error('nobody to sign in: call signInAs first');
      const grant = new provider.Grant({
        accountId: current.sub,
        clientId: String(details.params.client_id),
      });
      grant.addOIDCScope('openid email profile');
      await provider.interactionFinished(
        req,
        res,
        {
          login: { accountId: current.sub, amr: current.amr ?? ['pwd'] },
          consent: { grantId: await grant.save() },
        },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  return {
    issuer,
    /** The next sign-in at the provider is this person's (their session there is forgotten). */
    signInAs(person: IdpPerson) {
      people.set(person.sub, person);
      current = person;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
