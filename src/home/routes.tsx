import { Hono } from 'hono';
import { HomePage } from '../../views/home/home';
import { signInActivity } from '../audit/activity';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderPage } from '../web/render';
import { viewerAuditScope } from '../web/session';
import { homeSummary } from './home';

export function homeRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', guard(deps, 'signed-in'), async (c) => {
    const user = c.var.user;
    // Admins who may read account-wide events see the sign-in activity of the last 30 days.
    const chart = user.permissions.has('audit.view') && viewerAuditScope(c).all;
    const [summary, activity] = await Promise.all([
      homeSummary(deps.db, user, deps.clock.now()),
      chart ? signInActivity(deps.db, deps.clock.now(), c.get('timeZone')) : null,
    ]);
    return renderPage(c, {
      title: 'Home',
      body: <HomePage viewer={user} {...summary} activity={activity} />,
    });
  });
  return app;
}
