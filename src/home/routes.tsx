import { Hono } from 'hono';
import { HomePage } from '../../views/home/home';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderPage } from '../web/render';
import { viewerScope } from '../web/session';
import { homeData } from './home';

export function homeRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', guard(deps, 'signed-in'), async (c) => {
    const user = c.var.user;
    // The viewer as the lists' own routes see them (lists/routes.tsx), so that counts match.
    const data = await homeData({
      db: deps.db,
      searchDb: deps.searchDb,
      now: deps.clock.now(),
      timeZone: c.get('timeZone'),
      projectId: user.projectId,
      permissions: user.permissions,
      scopeOf: (permission) => viewerScope(c, permission),
      userId: user.id,
    });
    return renderPage(c, { title: 'Home', body: <HomePage viewer={user} {...data} /> });
  });
  return app;
}
