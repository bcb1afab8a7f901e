import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../web/env';
import { formFields } from '../../web/form';
import { guard } from '../../web/guard';
import { safeNext } from '../../web/safe-next';
import { secondsLeft } from '../../web/session-timeout';
import { keepSessionAlive } from './sessions';

/**
 * "Stay signed in", from the time-out warning (public/js/session.js): the idle time starts again, and
 * the code step gets more time. JSON for the script; a plain form gets a redirect back.
 */
export function sessionRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const keepAlive = async (c: Context<AppEnv>) => {
    const session = c.get('session');
    if (!session) return c.redirect('/login', 303);
    const now = deps.clock.now();
    const expiresIn = secondsLeft(await keepSessionAlive(deps.db, session, now), now);
    c.set('sessionExpiresIn', expiresIn);
    if (c.req.header('accept')?.includes('application/json')) return c.json({ expiresIn });
    const { returnTo } = await formFields(c, ['returnTo']);
    return c.redirect(safeNext(returnTo) ?? '/', 303);
  };

  // Any signed-in stage, including a user who must still enrol in 2FA: it grants nothing.
  app.post('/session/keep-alive', guard(deps, 'enrolment'), keepAlive);
  app.post('/login/two-factor/keep-alive', guard(deps, 'second-factor'), keepAlive);

  return app;
}
