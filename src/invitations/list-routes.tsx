import { Hono } from 'hono';
import { ListStatus } from '../../views/components/pagination';
import { InvitationResults, InvitationsPage, invitationsAnnouncement } from '../../views/invitations/list';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderRefusal } from '../web/refusal';
import { isHtmx, renderPage, renderStatusPage } from '../web/render';
import { actionContext, viewerScope } from '../web/session';
import { exportInvitations, listInvitations, parseInvitationListQuery } from './list';

const MANAGE = { permission: 'invitations.manage' } as const;

/** The Invitations tab: the list, its htmx fragment and its exports. */
export function invitationListRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();

  app.get('/invitations', guard(deps, MANAGE), async (c) => {
    const q = parseInvitationListQuery(new URL(c.req.url).searchParams);
    const page = await listInvitations(deps.db, q, viewerScope(c, 'invitations.manage'), now());
    if (isHtmx(c) && c.req.header('HX-Target')?.endsWith('#invitation-list')) {
      return c.html(
        <>
          <InvitationResults q={q} page={page} now={now()} />
          <ListStatus text={invitationsAnnouncement(page)} />
        </>,
      );
    }
    return renderPage(c, { title: 'Invitations', body: <InvitationsPage q={q} page={page} now={now()} /> });
  });

  for (const format of ['csv', 'json'] as const) {
    app.get(`/invitations/export.${format}`, guard(deps, MANAGE), async (c) => {
      const q = parseInvitationListQuery(new URL(c.req.url).searchParams);
      let body: ReadableStream<Uint8Array>;
      try {
        body = await exportInvitations(actionContext(c, deps), q, format);
      } catch (error) {
        return renderRefusal(c, error, () => renderStatusPage(c, 403));
      }
      return new Response(body, {
        headers: {
          'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'Content-Disposition': `attachment; filename="invitations-${now().toISOString().slice(0, 10)}.${format}"`,
          'Cache-Control': 'no-store',
        },
      });
    });
  }

  return app;
}
