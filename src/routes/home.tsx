import { Hono } from 'hono';
import { HomePage } from '../../views/pages/home';
import { getSettings } from '../domain/settings';
import type { AppDeps, AppEnv } from '../http/env';
import { guard } from '../http/guard';
import { renderPage, viewerOf } from '../http/render';

export function homeRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', guard(deps, 'signed-in'), async (c) => {
    const viewer = viewerOf(c);
    if (!viewer) throw new Error('guard let an anonymous request through');
    const settings = await getSettings(deps.db);
    return renderPage(c, {
      title: 'Home',
      body: <HomePage viewer={viewer} accountName={settings.account_name} />,
    });
  });
  return app;
}
