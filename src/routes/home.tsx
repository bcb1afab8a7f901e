import { Hono } from 'hono';
import { HomePage } from '../../views/pages/home';
import { signInActivity } from '../domain/audit-activity';
import { effectiveAccess } from '../domain/effective-access';
import { getSettings } from '../domain/settings';
import type { AppDeps, AppEnv } from '../http/env';
import { guard } from '../http/guard';
import { renderPage, viewerOf } from '../http/render';
import { viewerAuditScope } from '../http/session';

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
