import { AuditEventPage } from '../../views/audit/event';
import { auditLogView } from '../../views/audit/log';
import { decisionCounts } from '../api/decision-counts';
import { listRoutes } from '../lists/routes';
import type { AppDeps } from '../web/env';
import { guard } from '../web/guard';
import { renderPage, renderStatusPage } from '../web/render';
import { viewerAuditScope } from '../web/session';
import { actionText } from './actions';
import { signInActivity } from './activity';
import { auditProjects, findAuditEvent, targetName } from './events';
import { auditList } from './list';

/** The audit log (its page, fragment and exports) and one event's page. */
export function auditRoutes(deps: AppDeps) {
  const app = listRoutes(
    deps,
    auditList,
    auditLogView,
    async (_c, q, { db, scope, now, timeZone }, fragment) => {
      const charts = scope.all && !fragment;
      const [projects, activity, name, permissionChecks] = await Promise.all([
        auditProjects(db, scope),
        charts ? signInActivity(db, now, timeZone) : null,
        q.target ? targetName(db, q.target, scope) : null,
        charts ? decisionCounts(db, now) : null,
      ]);
      return { projects, activity, targetName: name, permissionChecks };
    },
  );

  // The guard admits digits only (path-params.ts).
  app.get('/events/:eventId', guard(deps, { permission: 'audit.view' }), async (c) => {
    const event = await findAuditEvent(deps.db, Number(c.req.param('eventId')), viewerAuditScope(c));
    if (!event) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `Event ${event.id}: ${actionText(event.action)} · Audit log`,
      body: <AuditEventPage event={event} />,
    });
  });
  return app;
}
