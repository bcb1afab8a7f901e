import type { Context, MiddlewareHandler } from 'hono';
import { sessionEndsAt } from '../auth/sessions/sessions';
import type { AppDeps, AppEnv } from './env';

/**
 * How long the session has left, for public/js/session.js to warn before it ends (WCAG 2.2.1): in a
 * <meta> of every page (sessionMeta) and in this header of every response, so that the htmx
 * updates of a page that is being used move the warning on.
 */
export const EXPIRES_IN_HEADER = 'X-Session-Expires-In';

export const secondsLeft = (endsAt: Date, now: Date) =>
  Math.max(0, Math.floor((endsAt.getTime() - now.getTime()) / 1000));

export function sessionTimeout(deps: AppDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const session = c.get('session');
    c.set('sessionExpiresIn', session ? secondsLeft(sessionEndsAt(session), deps.clock.now()) : null);
    await next();
    // Read again: "stay signed in" sets a new value.
    const seconds = c.get('sessionExpiresIn');
    if (seconds !== null) c.res.headers.set(EXPIRES_IN_HEADER, String(seconds));
  };
}

export interface SessionMeta {
  expiresIn: number;
  /** The code step can be given more time but saves no drafts (its only field is the code). */
  kind: 'session' | 'code-step';
  keepAlive: string;
}

/** What the page's <meta name="session-timeout"> says, or null without a session. */
export function sessionMeta<E extends AppEnv>(c: Context<E>): SessionMeta | null {
  const session = c.get('session');
  const expiresIn = c.get('sessionExpiresIn') ?? null;
  if (!session || expiresIn === null) return null;
  return session.stage === 'code'
    ? { expiresIn, kind: 'code-step', keepAlive: '/login/two-factor/keep-alive' }
    : { expiresIn, kind: 'session', keepAlive: '/session/keep-alive' };
}
