import type { Context } from 'hono';
import { Hono } from 'hono';
import { SsoContinuePage, SsoFailedPage, SsoOnwardPage, SsoTestPage } from '../../views/auth/sso';
import { writeAudit } from '../audit/write';
import { DomainError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderPage, renderStatusPage } from '../web/render';
import { safeNext } from '../web/safe-next';
import { actionContext, setSessionCookie } from '../web/session';
import { type SsoIdentity, SsoRefused } from './identity';
import { type ProviderRow, providerById } from './lookup';
import { oidcConfiguration, oidcIdentity, oidcRedirectUrl } from './oidc-client';
import { keepIdentity, openRequest, rememberOidc, takeRequest } from './requests';
import { samlIdentity, samlRedirectUrl } from './saml';
import { serviceProviderMetadata } from './saml-metadata';
import { membershipPlan, signInWithSso } from './sign-in';

/** Where the provider sends the browser back, per protocol. */
export const oidcCallbackPath = (id: string) => `/sso/${id}/oidc/callback`;
export const samlAcsPath = (id: string) => `/sso/${id}/saml/acs`;
/** The SAML answer is a cross-site form POST: its defence is its signature and its request id. */
export const isSamlAcsPath = (path: string) => /^\/sso\/[0-9a-f-]{36}\/saml\/acs$/.test(path);

const withNext = (path: string, next: string | null) =>
  next ? `${path}?next=${encodeURIComponent(next)}` : path;

const failed = <E extends AppEnv>(c: Context<E>, message: string, status: 400 | 403 = 403) =>
  renderPage(c, { title: 'Single sign-on failed', status, body: <SsoFailedPage message={message} /> });

/**
 * A page of ours that moves on to the provider by itself (Refresh; a link without it), not a
 * redirect: the sign-in form's answer may not redirect to another origin, which the console's
 * CSP (form-action 'self') forbids, and the provider's address is not known when the form is drawn.
 */
function onToProvider<E extends AppEnv>(c: Context<E>, provider: ProviderRow, url: string) {
  c.header('Refresh', `0; url=${url}`);
  return renderPage(c, {
    title: `Continue to ${provider.name}`,
    body: <SsoOnwardPage providerName={provider.name} url={url} />,
  });
}

/**
 * Sends the browser to the provider: a pending request (state, nonce, PKCE verifier or SAML
 * request id) kept in the database and bound to this browser, then a redirect. Used by the
 * sign-in forms (the console's and an application's) when the address belongs to a provider.
 */
export async function startSso<E extends AppEnv>(
  c: Context<E>,
  deps: AppDeps,
  provider: ProviderRow,
  options: { next: string | null; loginHint: string | null; test?: boolean },
): Promise<Response> {
  const now = deps.clock.now();
  try {
    const id = await openRequest(
      deps.db,
      c,
      { providerId: provider.id, next: options.next, test: options.test ?? false },
      now,
    );
    if (provider.kind === 'oidc') {
      const config = await oidcConfiguration(provider, deps.config.secretKey);
      const { url, pending } = await oidcRedirectUrl(config, {
        redirectUri: `${deps.config.publicUrl}${oidcCallbackPath(provider.id)}`,
        state: id,
        loginHint: options.loginHint,
      });
      await rememberOidc(deps.db, id, pending);
      return onToProvider(c, provider, url.href);
    }
    return onToProvider(c, provider, await samlRedirectUrl(deps.db, deps.config, provider, id));
  } catch (error) {
    if (!(error instanceof SsoRefused)) throw error;
    (deps.logError ?? console.error)(`single sign-on through ${provider.name} could not start`, error);
    return failed(c, `${provider.name} cannot be reached just now. Try again in a moment.`);
  }
}

/**
 * The provider's verified answer: for a trial (the admin's "Try a sign-in") what came back and
 * what a sign-in would do, nothing more; otherwise the sign-in itself, then on to the code step,
 * enrolment or where the person was going.
 */
async function finish(
  c: Context<AppEnv>,
  deps: AppDeps,
  provider: ProviderRow,
  request: { next: string | null; test: boolean },
  identity: SsoIdentity,
) {
  if (request.test) {
    const existing = await deps.db
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', identity.email)
      .executeTakeFirst();
    const account = existing
      ? `${existing.email} (exists)`
      : provider.jit
        ? 'none yet: the first sign-in would create it'
        : 'none, and this provider does not create accounts: the sign-in would be refused';
    return renderPage(c, {
      title: `Trial sign-in through ${provider.name} · Single sign-on`,
      body: (
        <SsoTestPage
          providerName={provider.name}
          identity={identity}
          account={account}
          plan={await membershipPlan(deps.db, provider, existing?.id ?? null, identity.groups)}
        />
      ),
    });
  }
  const result = await signInWithSso(actionContext(c, deps), {
    provider,
    identity,
    previousSessionId: c.get('session')?.sessionId ?? null,
  });
  if (!result.ok) return failed(c, result.message);
  setSessionCookie(c, result.token);
  const next = safeNext(request.next ?? undefined);
  const to = result.needsCode ? withNext('/login/two-factor', next) : (next ?? '/');
  // Moves on from our own page (see SsoContinuePage): a Refresh, not a redirect.
  c.header('Refresh', `0; url=${to}`);
  return renderPage(c, { title: 'Signed in', body: <SsoContinuePage to={to} /> });
}

/** Single sign-on's doors: the trial, the provider's answers (OIDC, SAML), the SAML metadata. */
export function ssoFlowRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const enabledProvider = async (c: Context<AppEnv>, kind: 'oidc' | 'saml') => {
    const provider = await providerById(deps.db, c.req.param('id') ?? '');
    return provider?.kind === kind ? provider : null;
  };
  const refused = async (c: Context<AppEnv>, provider: ProviderRow, error: unknown) => {
    if (!(error instanceof DomainError)) throw error;
    if (!(error instanceof SsoRefused)) return failed(c, error.message);
    // A forged, replayed or misaddressed answer is a security event: the trail keeps why.
    await writeAudit(deps.db, actionContext(c, deps), {
      action: 'sso.sign_in',
      outcome: 'failed',
      actor: { id: null, label: 'anonymous' },
      target: { type: 'identity_provider', id: provider.id, label: provider.name },
      projectId: null,
      reason: error.reason,
      after: { provider: provider.name, method: provider.kind },
    });
    return failed(c, `${provider.name}'s answer was refused (${error.reason}). Try signing in again.`);
  };

  // The administrator's "Try a sign-in", in a new window from the provider's page.
  app.get('/:id/test', guard(deps, { permission: 'account.settings' }), async (c) => {
    const provider = await providerById(deps.db, c.req.param('id'));
    if (!provider) return renderStatusPage(c, 404);
    return startSso(c, deps, provider, { next: null, loginHint: null, test: true });
  });

  app.get('/:id/oidc/callback', guard(deps, 'public'), async (c) => {
    const provider = await enabledProvider(c, 'oidc');
    if (!provider) return renderStatusPage(c, 404);
    const now = deps.clock.now();
    const request = await takeRequest(deps.db, c, provider.id, c.req.query('state'), now);
    if (!request?.nonce || !request.code_verifier)
      return failed(c, 'This sign-in has expired or was started in another browser. Sign in again.', 400);
    if (c.req.query('error'))
      return failed(c, `${provider.name} did not sign you in (${c.req.query('error')}).`);
    try {
      const config = await oidcConfiguration(provider, deps.config.secretKey);
      // The address the provider sent the browser to, as registered: the public URL's.
      const url = new URL(`${deps.config.publicUrl}${oidcCallbackPath(provider.id)}`);
      url.search = new URL(c.req.url).search;
      const identity = await oidcIdentity(config, provider, url, {
        state: request.id,
        nonce: request.nonce,
        codeVerifier: request.code_verifier,
      });
      return await finish(c, deps, provider, request, identity);
    } catch (error) {
      return refused(c, provider, error);
    }
  });

  // The SAML answer: checked here (signature, audience, recipient, times, request id, replay),
  // kept with the pending request, and the browser sent on with a GET of its own, which brings
  // the SameSite cookie that ties the request to it.
  app.post('/:id/saml/acs', guard(deps, 'public'), async (c) => {
    const provider = await enabledProvider(c, 'saml');
    if (!provider) return renderStatusPage(c, 404);
    const body = await c.req.parseBody();
    const form = {
      SAMLResponse: typeof body.SAMLResponse === 'string' ? body.SAMLResponse : undefined,
      RelayState: typeof body.RelayState === 'string' ? body.RelayState : undefined,
    };
    try {
      const { identity, requestId } = await samlIdentity(
        deps.db,
        deps.config,
        provider,
        form,
        deps.clock.now(),
      );
      if (!(await keepIdentity(deps.db, requestId, identity)))
        throw new SsoRefused('this sign-in was already answered');
      return c.redirect(`/sso/${provider.id}/saml/done?state=${encodeURIComponent(requestId)}`, 303);
    } catch (error) {
      return refused(c, provider, error);
    }
  });

  app.get('/:id/saml/done', guard(deps, 'public'), async (c) => {
    const provider = await enabledProvider(c, 'saml');
    if (!provider) return renderStatusPage(c, 404);
    const request = await takeRequest(deps.db, c, provider.id, c.req.query('state'), deps.clock.now());
    if (!request?.identity)
      return failed(c, 'This sign-in has expired or was started in another browser. Sign in again.', 400);
    const identity =
      typeof request.identity === 'string'
        ? (JSON.parse(request.identity) as SsoIdentity)
        : (request.identity as SsoIdentity);
    return finish(c, deps, provider, request, identity);
  });

  // What the IdP's administrator imports: Gatehouse as a service provider for this provider.
  app.get('/:id/saml/metadata', guard(deps, 'public'), async (c) => {
    const provider = await enabledProvider(c, 'saml');
    if (!provider) return renderStatusPage(c, 404);
    return c.body(serviceProviderMetadata(deps.config, provider), 200, {
      'Content-Type': 'application/samlmetadata+xml; charset=utf-8',
    });
  });

  return app;
}
