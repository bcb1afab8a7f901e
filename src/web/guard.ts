import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { isKnownPermission } from '../access/permissions';
import { auditActor, writeAudit } from '../audit/write';
import type { Actor } from '../core/context';
import type { AppDeps, AppEnv } from './env';
import { pathParamsValid } from './path-params';
import { isHtmx, renderStatusPage } from './render';

/**
 * What a route needs: nothing; a signed-in user; a signed-in user who may still have to enrol in
 * 2FA (`enrolment`: the pages that let them, and sign-out); a session waiting for its second
 * factor (`second-factor`); or a permission in the current project.
 */
export type Requirement = 'public' | 'signed-in' | 'enrolment' | 'second-factor' | { permission: string };

const REQUIREMENT = Symbol('gatehouse.route-requirement');

/** The signed-in user a guarded route acts for, with their permissions in the current project. */
export type UserActor = Extract<Actor, { kind: 'user' }>;

/** What a route behind a signed-in requirement sees: `c.var.user`, typed, never anonymous. */
export type SignedInEnv = AppEnv & { Variables: { user: UserActor } };

type GuardHandler<E extends AppEnv = AppEnv> = MiddlewareHandler<E> & { [REQUIREMENT]: Requirement };

export function requirementOf(handler: unknown): Requirement | undefined {
  return (handler as Partial<GuardHandler> | null)?.[REQUIREMENT];
}

/**
 * Every route starts with one of these; `denyUndeclared` refuses a route that has none, and
 * test/integration/routes.test.ts lists every route to prove each declares one. Once the
 * requirement is met, the path's ids are checked (path-params.ts): a malformed one is a 404.
 */
export function guard(deps: AppDeps, requirement: 'public' | 'second-factor'): GuardHandler;
export function guard(
  deps: AppDeps,
  requirement: 'signed-in' | 'enrolment' | { permission: string },
): GuardHandler<SignedInEnv>;
export function guard(deps: AppDeps, requirement: Requirement): GuardHandler | GuardHandler<SignedInEnv> {
  if (typeof requirement === 'object' && !isKnownPermission(requirement.permission)) {
    throw new Error(`Unknown permission ${requirement.permission}`);
  }
  const handler: MiddlewareHandler<SignedInEnv> = async (c, onward) => {
    const next = async () => (pathParamsValid(c) ? onward() : renderStatusPage(c, 404));
    if (requirement === 'public') return next();
    const session = c.get('session');
    if (requirement === 'second-factor') {
      if (session?.stage === 'code') return next();
      // Already past the code step (a reload, the back button), or never started it.
      return sendTo(c, c.get('actor').kind === 'user' ? '/' : '/login', 401);
    }
    const actor = c.get('actor');
    if (actor.kind !== 'user') return toSignIn(c);
    c.set('user', actor);
    if (requirement === 'enrolment') return next();
    // The account requires 2FA and this user has none yet: nothing else until they enrol.
    if (session?.stage === 'enrol') return sendTo(c, '/account/two-factor');
    if (requirement === 'signed-in' || actor.permissions.has(requirement.permission)) return next();
    await writeAudit(
      deps.db,
      { meta: c.get('meta'), clock: deps.clock, config: deps.config },
      {
        action: 'http.request',
        outcome: 'denied',
        actor: auditActor(actor),
        projectId: actor.projectId,
        // The path as sent, percent-encoded: decoded, it may hold a NUL, which PostgreSQL refuses.
        target: { type: 'route', id: `${c.req.method} ${new URL(c.req.url).pathname}` },
        reason: `missing permission ${requirement.permission}`,
      },
    );
    return renderStatusPage(c, 403);
  };
  return Object.assign(handler, { [REQUIREMENT]: requirement });
}

function toSignIn<E extends AppEnv>(c: Context<E>) {
  const next = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search || '') : '/';
  return sendTo(c, next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, 401);
}

/** A redirect a plain request follows and an HTMX request turns into a full navigation. */
export function sendTo<E extends AppEnv>(c: Context<E>, location: string, htmxStatus: 401 | 403 = 403) {
  if (isHtmx(c)) {
    c.header('HX-Redirect', location);
    return c.body(null, htmxStatus);
  }
  return c.redirect(location, 303);
}

/** Global middleware is registered for every method on `/*`; everything else is a route. */
export function isGlobalMiddleware(route: { method: string; path: string }): boolean {
  return route.method === 'ALL' && route.path === '/*';
}

/**
 * Deny by default: the first handler a request reaches after the global middleware must be a
 * guard. A route without one, with one placed after its handler, or scoped middleware that runs
 * before any guard, is a bug: answered 403 and logged.
 */
export function denyUndeclared(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const first = matchedRoutes(c).find((r) => !isGlobalMiddleware(r));
    if (first && !requirementOf(first.handler)) {
      (deps.logError ?? console.error)(`route ${c.req.method} ${c.req.path} declares no permission`, null);
      return renderStatusPage(c, 403);
    }
    return next();
  };
}
