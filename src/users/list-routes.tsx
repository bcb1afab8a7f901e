import { Hono } from 'hono';
import { ListStatus } from '../../views/components/pagination';
import { UserResults, UsersPage, usersAnnouncement } from '../../views/users/list';
import { roleAndTeamChoices } from '../access/choices';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderRefusal } from '../web/refusal';
import { isHtmx, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { exportUsers } from './export';
import { listUsers, parseUserListQuery } from './list';

const VIEW = { permission: 'users.view' } as const;

/** The users list (both tabs), its htmx fragment and its exports. */
export function userListRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();

  app.get('/users', guard(deps, VIEW), async (c) => {
    const actor = c.var.user;
    const q = parseUserListQuery(new URL(c.req.url).searchParams);
    const page = await listUsers(deps.searchDb ?? deps.db, q, actor.projectId, now());
    const canManage = actor.permissions.has('users.manage');
    // htmx 4 names the target as tag#id.
    if (isHtmx(c) && c.req.header('HX-Target')?.endsWith('#user-list')) {
      return c.html(
        <>
          <UserResults
            q={q}
            page={page}
            canManage={canManage}
            canExport={actor.permissions.has('users.export')}
          />
          <ListStatus text={usersAnnouncement(q, page)} />
        </>,
      );
    }
    const { roles, teams } = await roleAndTeamChoices(deps.db);
    return renderPage(c, {
      title: q.tab === 'deactivated' ? 'Deactivated users' : 'Users',
      body: (
        <UsersPage
          q={q}
          page={page}
          roles={roles}
          teams={teams}
          canManage={canManage}
          canExport={actor.permissions.has('users.export')}
          canResetAll={actor.permissions.has('account.settings')}
          canInvite={actor.permissions.has('invitations.manage')}
        />
      ),
    });
  });

  for (const format of ['csv', 'json'] as const) {
    app.get(`/users/export.${format}`, guard(deps, { permission: 'users.export' }), async (c) => {
      const actor = c.var.user;
      const q = parseUserListQuery(new URL(c.req.url).searchParams);
      let body: ReadableStream<Uint8Array>;
      try {
        body = await exportUsers(actionContext(c, deps), q, actor.projectId, format, deps.searchDb);
      } catch (error) {
        return renderRefusal(c, error, () => renderStatusPage(c, 403));
      }
      const stamp = now().toISOString().slice(0, 10);
      return new Response(body, {
        headers: {
          'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'Content-Disposition': `attachment; filename="users-${stamp}.${format}"`,
          'Cache-Control': 'no-store',
        },
      });
    });
  }

  return app;
}
