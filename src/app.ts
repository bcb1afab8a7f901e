import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { accessRoutes, projectSwitchRoutes, userAccessRoutes } from './access/access-routes';
import { projectRoutes } from './access/project-routes';
import { roleRoutes } from './access/role-routes';
import { teamMemberRoutes } from './access/team-member-routes';
import { teamRoutes } from './access/team-routes';
import { accountRoutes } from './account/routes';
import { settingsRoutes } from './account/settings-routes';
import { apiApp, isApiPath } from './api/app';
import { serviceAccountRoutes } from './api/service-account-routes';
import { auditRoutes } from './audit/routes';
import { linkRoutes } from './auth/link-routes';
import { confirmPasswordRoutes } from './auth/sessions/confirm-routes';
import { sessionRoutes } from './auth/sessions/routes';
import { setupRoutes } from './auth/setup/routes';
import { authRoutes } from './auth/sign-in/routes';
import { twoFactorRoutes } from './auth/two-factor/routes';
import { BusyError } from './core/errors';
import { isValueRefused } from './core/validation';
import { homeRoutes } from './home/routes';
import { inviteeRoutes } from './invitations/invitee-routes';
import { invitationRoutes } from './invitations/routes';
import { mailListRoutes } from './mail/list-routes';
import { webhookRoutes } from './mail/webhook-routes';
import { applicationRoutes } from './oidc/application-routes';
import { interactionRoutes } from './oidc/interaction-routes';
import { isSamlAcsPath, ssoFlowRoutes } from './sso/flow-routes';
import { ssoProviderRoutes } from './sso/provider-routes';
import { userRoutes } from './users/routes';
import { clientIp } from './web/client-ip';
import type { AppDeps, AppEnv } from './web/env';
import { FormRefused } from './web/form';
import { denyUndeclared } from './web/guard';
import { renderStatusPage } from './web/render';
import { bodyLimits, noStore, securityHeaders } from './web/security-headers';
import { loadActor } from './web/session';
import { sessionTimeout } from './web/session-timeout';
import { systemRoutes } from './web/system-routes';

export type { AppDeps } from './web/env';

/** Middleware, then the areas' routes. Order matters: ids and headers first, the guard last. */
export function createApp(deps: AppDeps, api: ReturnType<typeof apiApp> = apiApp(deps)) {
  const app = new Hono<AppEnv>();
  const logError = deps.logError ?? ((message, error) => console.error(message, error));

  // The machine interface (/api/v1, /access/v1) has its own middleware: no cookie, session or
  // CSRF check, bearer tokens only (src/api/app.ts). It answers before any of the console's (the
  // server hands it its requests before this app sees them: web/http-listener.ts).
  app.use(async (c, next) => {
    if (isApiPath(c.req.path)) return api.app.fetch(c.req.raw, c.env);
    await next();
  });

  // Our own ids only: an id a client sends is not trusted into the audit trail.
  app.use(requestId({ headerName: '' }));
  app.use(async (c, next) => {
    c.header('X-Request-Id', c.get('requestId'));
    c.set('actor', { kind: 'anonymous' });
    c.set('flash', null);
    c.set('projects', []);
    c.set('meta', {
      ip: clientIp(c, deps.config.trustProxy),
      requestId: c.get('requestId'),
      userAgent: c.req.header('user-agent') ?? null,
    });
    await next();
  });
  app.use(securityHeaders);
  app.use(noStore);
  // A SAML answer is a form the identity provider's page posts here, from its own origin: its
  // defence is its signature and its request id, bound to the browser (src/sso/flow-routes.tsx).
  const sameOrigin = csrf({ origin: deps.config.publicUrl });
  app.use((c, next) => (isSamlAcsPath(c.req.path) ? next() : sameOrigin(c, next)));
  app.use(bodyLimits);
  app.use(loadActor(deps));
  app.use(sessionTimeout(deps));
  app.use(denyUndeclared(deps));

  // Each area on its URL prefix. Signing in and out, the emailed links and the session's
  // keep-alive are the doors of the console, each a top-level path of its own (/login, /logout,
  // /forgot-password, /set-password/…, /reset-password/…, /unlock/…, /session/…, and the first
  // run's /setup/…): they are mounted at the root.
  app.route('/', systemRoutes(deps));
  if (deps.oidc) app.route('/oidc/interaction', interactionRoutes({ ...deps, oidc: deps.oidc }));
  app.route('/', authRoutes(deps));
  app.route('/', linkRoutes(deps));
  app.route('/', setupRoutes(deps));
  app.route('/', sessionRoutes(deps));
  app.route('/', homeRoutes(deps));
  app.route('/project', projectSwitchRoutes(deps));
  app.route('/access', accessRoutes(deps));
  app.route('/roles', roleRoutes(deps));
  app.route('/teams', teamRoutes(deps));
  app.route('/teams', teamMemberRoutes(deps));
  app.route('/projects', projectRoutes(deps));
  app.route('/users', userRoutes(deps));
  app.route('/users', userAccessRoutes(deps));
  app.route('/invitations', invitationRoutes(deps));
  app.route('/invite', inviteeRoutes(deps));
  app.route('/account', accountRoutes(deps));
  app.route('/account', confirmPasswordRoutes(deps));
  app.route('/account', twoFactorRoutes(deps));
  app.route('/settings', settingsRoutes(deps));
  app.route('/audit', auditRoutes(deps));
  app.route('/email', mailListRoutes(deps));
  app.route('/applications', applicationRoutes(deps));
  app.route('/service-accounts', serviceAccountRoutes(deps));
  app.route('/webhooks', webhookRoutes(deps));
  app.route('/sso', ssoFlowRoutes(deps));
  app.route('/sso', ssoProviderRoutes(deps));

  app.notFound((c) => renderStatusPage(c, 404));
  app.onError((error, c) => {
    // The password-hashing queue is full (a sign-in storm): come back shortly, nothing was done.
    if (error instanceof BusyError) {
      c.header('Retry-After', String(error.retryAfter));
      return renderStatusPage(c, 503);
    }
    if (error instanceof HTTPException && error.status === 403) return renderStatusPage(c, 403);
    if (error instanceof HTTPException && error.status === 413) return renderStatusPage(c, 413);
    // The form reader's refusals say what was wrong (web/form.ts).
    if (error instanceof HTTPException && error.status === 400)
      return renderStatusPage(c, 400, error instanceof FormRefused ? error.message : undefined);
    // The route pattern, not the path: a path may carry a one-time token.
    if (isValueRefused(error)) {
      // Bad input a check let through: the client's fault (400), our bug (logged).
      logError(`request ${c.get('requestId')} ${c.req.method} ${routePath(c)}: a value was refused`, error);
      return renderStatusPage(c, 400, 'Something in this request is not a value this page accepts.');
    }
    logError(`request ${c.get('requestId')} ${c.req.method} ${routePath(c)} failed`, error);
    return renderStatusPage(c, 500);
  });
  return app;
}
