import { Hono } from 'hono';
import { HomePage } from '../../views/home/home';
import { effectiveAccess } from '../access/effective-access';
import { getSettings } from '../account/read-settings';
import { signInActivity } from '../audit/activity';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderPage, viewerOf } from '../web/render';
import { viewerAuditScope } from '../web/session';

export function homeRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.get('/', guard(deps, 'signed-in'), async (c) => {
    const viewer = viewerOf(c);
    const actor = c.get('actor');
    if (!viewer || actor.kind !== 'user') throw new Error('guard let an anonymous request through');
    // Admins who may read account-wide events see the sign-in activity of the last 30 days.
    const chart = actor.permissions.has('audit.view') && viewerAuditScope(c).all;
    const [settings, access, activity] = await Promise.all([
      getSettings(deps.db),
      effectiveAccess(deps.db, actor.id, deps.clock.now()),
      chart ? signInActivity(deps.db, deps.clock.now(), c.get('timeZone')) : null,
    ]);
    const here = access.projects.find((p) => p.projectId === actor.projectId);
    const roles = new Map<string, string>();
    for (const permission of here?.permissions ?? []) {
      for (const source of permission.sources) {
        roles.set(source.label, source.accountWide ? 'in every project' : 'in this project');
      }
    }
    return renderPage(c, {
      title: 'Home',
      body: (
        <HomePage
          viewer={viewer}
          accountName={settings.account_name}
          projectName={here?.projectName ?? ''}
          roles={[...roles].map(([name, scope]) => ({ name, scope }))}
          teams={access.teams}
          activity={activity}
        />
      ),
    });
  });
  return app;
}
