import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { defaultProjectId, type PermissionScope, permissionsIn, scopeOf } from '../access/grants';
import { zoneOrUtc } from '../account/time-zones';
import { SESSION_COOKIE, validateSession } from '../auth/sessions/sessions';
import type { ActionContext } from '../core/context';
import type { AppDeps, AppEnv } from './env';
import { COOKIE_BASE, takeFlash } from './render';

const STATIC = /^\/(public|assets)\/|^\/(healthz|readyz)$/;

/**
 * Reads the session cookie and, for a live session, the user's permissions in the current
 * project, from the database on every request: a role change applies on the next one.
 */
export function loadActor(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('actor', { kind: 'anonymous' });
    c.set('session', null);
    c.set('flash', null);
    c.set('projects', []);
    c.set('timeZone', 'UTC');
    if (STATIC.test(c.req.path)) return next();
    c.set('flash', takeFlash(c));
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const now = deps.clock.now();
      const session = await validateSession(deps.db, token, now);
      // Waiting for its second factor, a session is nobody yet: only the code page takes it.
      if (session?.stage === 'code') c.set('session', session);
      else if (session) {
        const { grants, projects } = session;
        const accountWide = grants.some((g) => g.projectId === null);
        const visible = projects.filter((p) => accountWide || grants.some((g) => g.projectId === p.id));
        const chosen = projects.find((p) => p.id === session.projectId);
        const projectId = chosen?.id ?? visible[0]?.id ?? (await defaultProjectId(deps.db));
        c.set(
          'projects',
          visible.some((p) => p.id === projectId)
            ? visible
            : [...visible, ...projects.filter((p) => p.id === projectId)],
        );
        const permissions = permissionsIn(grants, projectId);
        c.set('session', session);
        c.set('timeZone', zoneOrUtc(session.timeZone));
        c.set('actor', {
          kind: 'user',
          id: session.userId,
          email: session.email,
          name: session.name,
          projectId,
          permissions,
        });
      } else {
        deleteCookie(c, SESSION_COOKIE, COOKIE_BASE);
      }
    }
    return next();
  };
}

/**
 * Where the signed-in user may read what a permission guards (audit events, invitations), from
 * the grants the session already holds.
 */
export function viewerScope<E extends AppEnv>(c: Context<E>, permission: string): PermissionScope {
  const session: AppEnv['Variables']['session'] = c.get('session');
  if (!session || c.get('actor').kind !== 'user') return { all: false, projectIds: [] };
  return scopeOf(
    session.grants,
    session.projects.map((p) => p.id),
    permission,
  );
}

export const viewerAuditScope = <E extends AppEnv>(c: Context<E>) => viewerScope(c, 'audit.view');

/** A browser-session cookie: __Host- prefixed, Secure, HttpOnly, Path=/, SameSite=Strict. */
export function setSessionCookie(c: Context, token: string) {
  setCookie(c, SESSION_COOKIE, token, COOKIE_BASE);
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, COOKIE_BASE);
}

/** The domain's view of this request. */
export function actionContext<E extends AppEnv>(c: Context<E>, deps: AppDeps): ActionContext {
  return {
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    jobs: deps.jobs,
    actor: c.get('actor'),
    meta: c.get('meta'),
    sessionId: c.get('session')?.sessionId ?? null,
  };
}
