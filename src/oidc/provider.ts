import { hkdfSync } from 'node:crypto';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { passwordUsable } from '../auth/passwords/reset-epoch';
import { endSessionOfCookie, SESSION_COOKIE } from '../auth/sessions/sessions';
import type { Config } from '../config';
import type { Db } from '../db/connect';
import { kyselyAdapter } from './adapter';
import { applicationClient, verifyClientSecret } from './applications';
import { accessClaims, grantsOnce, hasAccessIn, type ProjectChoice, projectFor } from './claims';
import { keysVersion, signingKeys } from './keys';
import { logoutSource, postLogoutSuccessSource, renderError, securityHeaders } from './provider-pages';

/** Where the provider's endpoints live; discovery stays at the root, as the issuer is the origin. */
export const OIDC_PREFIX = '/oidc';
/** Our pages for the provider's interactions (sign-in, consent): Hono serves these. */
export const INTERACTION_PREFIX = `${OIDC_PREFIX}/interaction/`;

const ownTokenOnly = async (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) =>
  token.clientId === client.clientId;

/**
 * The provider's cookie keys, derived from SECRET_KEY (so every instance signs its cookies alike
 * and no second secret is configured).
 */
const cookieKeys = (secretKey: Buffer) => [
  Buffer.from(hkdfSync('sha256', secretKey, '', 'gatehouse oidc cookies v1', 32)).toString('base64url'),
];

/** fetch without the provider's SSRF-guarding dispatcher (see its use below). */
const unguardedFetch = (input: string | URL | Request, init?: RequestInit) => {
  const { dispatcher: _guard, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
  return globalThis.fetch(input, rest);
};

const servedLocally = (config: Config) =>
  /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(config.publicUrl);

/**
 * The provider's cookies. Over https (every deployment): Secure, the session one __Host- (it is
 * Path=/), the interaction ones __Secure- (they are scoped to their interaction's path, which
 * __Host- forbids). SameSite=Lax, as the code flow needs: the browser comes back from the app
 * with a top-level GET. Over plain http (a developer's machine, the tests) they cannot be Secure.
 */
function cookiesFor(config: Config): Configuration['cookies'] {
  const https = config.publicUrl.startsWith('https:');
  const options = { httpOnly: true, sameSite: 'lax' as const, secure: https };
  return {
    keys: cookieKeys(config.secretKey),
    names: {
      session: `${https ? '__Host-' : ''}gh_oidc_session`,
      interaction: `${https ? '__Secure-' : ''}gh_oidc_interaction`,
      resume: `${https ? '__Secure-' : ''}gh_oidc_resume`,
    },
    long: options,
    short: options,
  };
}

/**
 * The person behind a session or token, or undefined when they may no longer sign in: deleted,
 * deactivated, access expired, locked, or their password reset (unless they sign in through
 * single sign-on). The provider asks at every
 * sign-in, refresh, userinfo and introspection, so each of these takes effect at the next one.
 */
async function account(db: Db, id: string, ctx: KoaContextWithOIDC, token?: { scope?: string }) {
  const now = new Date();
  const user = await db
    .selectFrom('users as u')
    .select([
      'u.id',
      'u.email',
      'u.name',
      'u.language',
      'u.time_zone',
      'u.email_verified_at',
      'u.deactivated_at',
      'u.access_expires_at',
      'u.locked_until',
      passwordUsable('u').as('has_password'),
      // Someone who signs in through their company's provider (src/sso/) may have no password:
      // a password reset does not end what the provider vouches for.
      (eb) =>
        eb
          .exists(
            eb.selectFrom('user_identities as i').select('i.user_id').whereRef('i.user_id', '=', 'u.id'),
          )
          .as('has_sso'),
    ])
    .where('u.id', '=', id)
    .executeTakeFirst();
  if (
    !user ||
    user.deactivated_at ||
    (user.access_expires_at && user.access_expires_at <= now) ||
    (user.locked_until && user.locked_until > now) ||
    !(user.has_password || user.has_sso)
  )
    return undefined;
  const clientId = ctx.oidc?.client?.clientId;
  // The project a scope speaks about, looked up once a scope (the token's, then its claims').
  const projects = new Map<string, Promise<ProjectChoice | null>>();
  const projectOf = (scope: string) => {
    if (!projects.has(scope)) projects.set(scope, projectFor(db, clientId as string, scope));
    return projects.get(scope) as Promise<ProjectChoice | null>;
  };
  // A token about a project the person no longer has any access in is refused (its refresh, its
  // introspection); claims are read afresh each time, so role changes show at the next refresh.
  const grants = grantsOnce(db, user.id, now);
  if (token?.scope && clientId) {
    const project = await projectOf(token.scope);
    if (project && !hasAccessIn(await grants(), project)) return undefined;
  }
  return {
    accountId: user.id,
    claims: async (_use: string, scope: string) => ({
      sub: user.id,
      email: user.email,
      email_verified: user.email_verified_at !== null,
      name: user.name,
      locale: user.language,
      zoneinfo: user.time_zone ?? 'UTC',
      ...(clientId ? await accessClaims(db, user.id, await projectOf(scope), grants) : {}),
    }),
  };
}

function configuration(
  db: Db,
  config: Config,
  jwks: { keys: Record<string, unknown>[] },
  projectIds: string[],
  accessTokenSeconds: number,
): Configuration {
  return {
    adapter: kyselyAdapter(db, (clientId) => applicationClient(db, clientId)),
    findAccount: (ctx: KoaContextWithOIDC, id: string, token?: { scope?: string }) =>
      account(db, id, ctx, token),
    jwks: jwks as Configuration['jwks'],
    claims: {
      // amr and acr say whether the sign-in had a second factor.
      openid: ['sub', 'acr', 'amr', 'auth_time', 'sid'],
      email: ['email', 'email_verified'],
      profile: ['name', 'locale', 'zoneinfo'],
      roles: ['project', 'project_name', 'roles'],
      permissions: ['project', 'project_name', 'permissions'],
      teams: ['teams'],
    },
    // An application serving several projects names the one it wants: project:<id>. The
    // provider grants only scopes it knows, so each project's is listed (a new project rebuilds it).
    scopes: [
      'openid',
      'offline_access',
      'email',
      'profile',
      'roles',
      'permissions',
      'teams',
      ...projectIds.map((id) => `project:${id}`),
    ],
    acrValues: ['pwd', 'mfa'],
    // The ID token carries the claims of the scopes asked for, as Keycloak's do, not only userinfo.
    conformIdTokenClaims: false,
    features: {
      // Our own sign-in and consent pages (interaction-routes.tsx), never the library's.
      devInteractions: { enabled: false },
      // An application may ask about, or revoke, only the tokens issued to it.
      introspection: { enabled: true, allowedPolicy: ownTokenOnly },
      revocation: { enabled: true, allowedPolicy: ownTokenOnly },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      claimsParameter: { enabled: true },
      // An application's own API (registered with it): asked with `resource`, the access token is
      // a JWT for that audience (RFC 9068) with the person's access claims (extraTokenClaims).
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: KoaContextWithOIDC, _client: unknown, oneOf?: readonly string[]) =>
          oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (
          _ctx: KoaContextWithOIDC,
          resource: string,
          client: { clientId: string },
        ) => {
          const app = await db
            .selectFrom('applications')
            .select('api_resources')
            .where('client_id', '=', client.clientId)
            .executeTakeFirst();
          if (!app?.api_resources.includes(resource)) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience: resource,
            accessTokenTTL: accessTokenSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: async (
      ctx: KoaContextWithOIDC,
      token: {
        kind: string;
        resourceServer?: unknown;
        accountId?: string;
        clientId?: string;
        grantId?: string;
      },
    ) => {
      if (token.kind !== 'AccessToken' || !token.resourceServer || !token.accountId || !token.clientId)
        return undefined;
      // The project comes from the OpenID scopes granted (project:<id>), as for the ID token.
      const grant = token.grantId ? await ctx.oidc.provider.Grant.find(token.grantId) : undefined;
      const scope = grant?.getOIDCScope() ?? '';
      const project = await projectFor(db, token.clientId, scope);
      return accessClaims(db, token.accountId, project, grantsOnce(db, token.accountId, new Date()));
    },
    pkce: { required: () => true },
    responseTypes: ['code'],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    enabledJWA: { idTokenSigningAlgValues: ['RS256'] },
    ttl: {
      // The account's setting (access_token_minutes, default 5); a change rebuilds the provider.
      AccessToken: accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: 3_600,
      RefreshToken: 14 * 86_400,
      Interaction: 3_600,
      Session: 14 * 86_400,
      Grant: 14 * 86_400,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    renderError,
    // The provider refuses to call special-use addresses (loopback, private networks: SSRF). On a
    // developer's machine, where Gatehouse itself is served over http to this machine, the apps'
    // back-channel logout URIs are on it too: there, and only there, that check is left out.
    ...(servedLocally(config) ? { fetch: unguardedFetch } : {}),
    rotateRefreshToken: true,
    cookies: cookiesFor(config),
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}` },
    routes: {
      authorization: `${OIDC_PREFIX}/auth`,
      token: `${OIDC_PREFIX}/token`,
      userinfo: `${OIDC_PREFIX}/me`,
      jwks: `${OIDC_PREFIX}/jwks`,
      end_session: `${OIDC_PREFIX}/session/end`,
      introspection: `${OIDC_PREFIX}/token/introspection`,
      revocation: `${OIDC_PREFIX}/token/revocation`,
    },
  };
}

/**
 * The provider, rebuilt when the signing keys, the projects or the access-token lifetime change
 * (in any instance): each request compares their version, three one-row queries, at most once a
 * second.
 */
export class OidcProvider {
  #provider: Provider | null = null;
  #version = '';
  #checkedAt = 0;
  #checking: Promise<Provider> | null = null;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {}

  /**
   * The provider, rebuilt when what it is built from changed (checked at most once a second; the
   * requests that arrive meanwhile wait for that one check rather than each making their own).
   */
  current(): Promise<Provider> {
    if (this.#provider && Date.now() - this.#checkedAt < 1000) return Promise.resolve(this.#provider);
    this.#checking ??= this.#check().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #check(): Promise<Provider> {
    const built = await this.builtFrom();
    this.#checkedAt = Date.now();
    if (this.#provider && built.version === this.#version) return this.#provider;
    // Makes the first key on a new database: the version is taken again once the keys are read.
    const keys = await signingKeys(this.db, this.config.secretKey);
    const provider = new Provider(
      this.config.publicUrl,
      configuration(this.db, this.config, { keys }, built.projectIds, built.accessTokenMinutes * 60),
    );
    provider.proxy = this.config.trustProxy;
    provider.use(securityHeaders);
    // Signing out at an application's request (RP-initiated logout, confirmed) ends the one
    // sign-in there is: the provider's session, and the console session it was made from, or the
    // next application would sign the person straight back in.
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'end_session_confirm' && ctx.oidc.params?.logout && ctx.status < 400)
        await endSessionOfCookie(this.db, ctx.cookies.get(SESSION_COOKIE));
    });
    // A 500 from the provider is a fault of ours: it is logged, with the route it came from.
    provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) =>
      console.error(`openid provider error at ${ctx.oidc?.route ?? ctx.path}`, error),
    );
    // A confidential application's secret is stored hashed (applications.ts): the client's
    // "secret" the provider holds is that hash, and presenting a secret is checked against it.
    provider.Client.prototype.compareClientSecret = async function compare(
      this: { clientSecret: string },
      actual: string,
    ) {
      return verifyClientSecret(this.clientSecret, actual);
    };
    this.#provider = provider;
    this.#version = `${await keysVersion(this.db)}|${built.rest}`;
    return provider;
  }

  /**
   * What the provider is built from, read once: the projects (their scopes) and the token
   * lifetime, and with the signing keys' version the whole version it is compared by.
   */
  private async builtFrom() {
    const projectIds = (await this.db.selectFrom('projects').select('id').orderBy('id').execute()).map(
      (p) => p.id,
    );
    const { access_token_minutes: accessTokenMinutes } = await this.db
      .selectFrom('account_settings')
      .select('access_token_minutes')
      .executeTakeFirstOrThrow();
    const rest = `${projectIds.join(',')}|${accessTokenMinutes}`;
    return { projectIds, accessTokenMinutes, rest, version: `${await keysVersion(this.db)}|${rest}` };
  }
}

/** Whether a request path is the provider's (the server hands it the raw request). */
export const isProviderPath = (path: string) =>
  path === '/.well-known/openid-configuration' ||
  (path.startsWith(`${OIDC_PREFIX}/`) && !path.startsWith(INTERACTION_PREFIX));
