import { Hono } from 'hono';
import { AuditEventPage } from '../../views/audit/event';
import { AuditLogPage, AuditResults, auditAnnouncement } from '../../views/audit/log';
import { ListStatus } from '../../views/components/pagination';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderRefusal } from '../web/refusal';
import { isHtmx, renderFragment, renderPage, renderStatusPage } from '../web/render';
import { actionContext, viewerAuditScope } from '../web/session';
import { signInActivity } from './activity';
import {
  auditProjects,
  exportAuditEvents,
  findAuditEvent,
  listAuditEvents,
  parseAuditListQuery,
  targetName,
} from './list';

const VIEW = { permission: 'audit.view' } as const;

/** The audit log, one event's page, and the export. */
export function auditRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();

  app.get('/audit', guard(deps, VIEW), async (c) => {
    const q = parseAuditListQuery(new URL(c.req.url).searchParams);
    const timeZone = c.get('timeZone');
    const scope = viewerAuditScope(c);
    const page = await listAuditEvents(deps.db, q, scope, timeZone);
    if (isHtmx(c) && c.req.header('HX-Target')?.endsWith('#audit-list')) {
      return renderFragment(
        c,
        <>
          <AuditResults q={q} page={page} />
          <ListStatus text={auditAnnouncement(page)} />
        </>,
      );
    }
    const [projects, activity, name] = await Promise.all([
      auditProjects(deps.db, scope),
      scope.all ? signInActivity(deps.db, now(), timeZone) : null,
      q.target ? targetName(deps.db, q.target, scope) : null,
    ]);
    return renderPage(c, {
      title: 'Audit log',
      body: <AuditLogPage q={q} page={page} projects={projects} activity={activity} targetName={name} />,
    });
  });

  // The guard admits digits only (path-params.ts).
  app.get('/audit/events/:eventId', guard(deps, VIEW), async (c) => {
    const scope = viewerAuditScope(c);
    const event = await findAuditEvent(deps.db, Number(c.req.param('eventId')), scope);
    if (!event) return renderStatusPage(c, 404);
    return renderPage(c, { title: `Event ${event.id}`, body: <AuditEventPage event={event} /> });
  });

  for (const format of ['csv', 'json'] as const) {
    app.get(`/audit/export.${format}`, guard(deps, VIEW), async (c) => {
      const q = parseAuditListQuery(new URL(c.req.url).searchParams);
      let body: ReadableStream<Uint8Array>;
      try {
        body = await exportAuditEvents(actionContext(c, deps), q, format, c.get('timeZone'));
      } catch (error) {
        return renderRefusal(c, error, () => renderStatusPage(c, 403));
      }
      return new Response(body, {
        headers: {
          'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'Content-Disposition': `attachment; filename="audit-${now().toISOString().slice(0, 10)}.${format}"`,
          'Cache-Control': 'no-store',
        },
      });
    });
  }
  return app;
}
