import type { Context } from 'hono';
import { Hono } from 'hono';
import { TeamMemberConfirmPage, TeamPage, TeamsPage } from '../../views/access/teams';
import { ConfirmPage } from '../../views/components/confirm';
import { NotFoundError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import {
  addTeamMember,
  createTeam,
  deleteTeam,
  getTeam,
  listTeams,
  removeTeamMember,
  setTeamAdmin,
  teamsAdministeredBy,
  updateTeam,
} from './teams';

type Status = 200 | 403 | 409 | 422;

/**
 * Team pages. A team's own page is open to signed-in users who manage teams or administer that
 * team; the domain functions enforce who may do what on it.
 */
export function teamRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const canManage = (c: Context<SignedInEnv>) => {
    const actor = c.get('actor');
    return actor.kind === 'user' && actor.permissions.has('teams.manage');
  };

  app.get('/teams', guard(deps, { permission: 'teams.manage' }), async (c) =>
    renderPage(c, { title: 'Teams', body: <TeamsPage teams={await listTeams(deps.db)} /> }),
  );

  app.post('/teams', guard(deps, { permission: 'teams.manage' }), async (c) => {
    const form = await formFields(c, ['name', 'description']);
    try {
      const id = await createTeam(actionContext(c, deps), form);
      return redirectWithFlash(c, `/teams/${id}`, `Team ${form.name?.trim()} created.`);
    } catch (error) {
      return renderRefusal(c, error, async (errors, status) =>
        renderPage(c, {
          title: 'Teams',
          status,
          body: (
            <TeamsPage
              teams={await listTeams(deps.db)}
              values={{ name: form.name ?? '', description: form.description ?? '' }}
              errors={errors}
            />
          ),
        }),
      );
    }
  });

  const teamPage = async (
    c: Context<SignedInEnv>,
    id: string,
    options: {
      values?: { name: string; description: string; email: string };
      errors?: FormErrors;
      status?: Status;
    } = {},
  ) => {
    const actor = c.get('actor');
    if (actor.kind !== 'user') return renderStatusPage(c, 403);
    let team: Awaited<ReturnType<typeof getTeam>>;
    try {
      team = await getTeam(deps.db, id);
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
    if (!canManage(c) && !(await teamsAdministeredBy(deps.db, actor.id)).includes(team.id))
      return renderStatusPage(c, 403);
    const rows = await deps.db
      .selectFrom('role_bindings as b')
      .leftJoin('roles as r', 'r.id', 'b.role_id')
      .leftJoin('projects as p', 'p.id', 'b.project_id')
      .select([
        'b.id',
        'b.permissions',
        'r.key',
        'r.name as roleName',
        'r.permissions as rolePermissions',
        'p.name as projectName',
      ])
      .where('b.team_id', '=', id)
      .execute();
    const bindings = rows.map((b) => ({
      id: b.id,
      access: b.roleName ?? `Manual set (${b.permissions?.length ?? 0} permissions)`,
      where: b.projectName ? `in ${b.projectName}` : 'in every project',
    }));
    return renderPage(c, {
      title: `Team ${team.name}`,
      status: options.status ?? 200,
      body: (
        <TeamPage
          team={team}
          bindings={bindings}
          canManage={canManage(c)}
          values={options.values}
          errors={options.errors}
        />
      ),
    });
  };

  app.get('/teams/:id', guard(deps, 'signed-in'), (c) => teamPage(c, c.req.param('id')));

  app.post('/teams/:id', guard(deps, { permission: 'teams.manage' }), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['name', 'description']);
    try {
      await updateTeam(actionContext(c, deps), id, form);
      return redirectWithFlash(c, `/teams/${id}`, 'Team saved.');
    } catch (error) {
      const values = { name: form.name ?? '', description: form.description ?? '', email: '' };
      return renderRefusal(c, error, (errors, status) =>
        teamPage(c, id, { values, errors, status: status as Status }),
      );
    }
  });

  app.post('/teams/:id/members', guard(deps, 'signed-in'), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['email', 'admin']);
    try {
      await addTeamMember(actionContext(c, deps), id, form);
      return redirectWithFlash(c, `/teams/${id}`, `${form.email?.trim()} added to the team.`);
    } catch (error) {
      return renderRefusal(c, error, async (errors, status) => {
        const team = await getTeam(deps.db, id).catch(() => null);
        const values = {
          name: team?.name ?? '',
          description: team?.description ?? '',
          email: form.email ?? '',
        };
        return teamPage(c, id, { values, errors, status: status as Status });
      });
    }
  });

  /** The confirmation before a member, or their team admin role, goes; the POST decides who may. */
  const memberConfirmPage = async (
    c: Context<SignedInEnv>,
    kind: 'remove' | 'admin',
    errors?: FormErrors,
    status: Status = 200,
  ) => {
    const actor = c.get('actor');
    if (actor.kind !== 'user') return renderStatusPage(c, 403);
    const team = await getTeam(deps.db, c.req.param('id') ?? '');
    const member = team.members.find((m) => m.userId === c.req.param('userId'));
    if (!member) return renderStatusPage(c, 404);
    // Not an admin: nothing to confirm (this is also where a confirmed password leads back to).
    if (kind === 'admin' && !member.isAdmin) return c.redirect(`/teams/${team.id}`, 303);
    if (!canManage(c) && !(await teamsAdministeredBy(deps.db, actor.id)).includes(team.id))
      return renderStatusPage(c, 403);
    return renderPage(c, {
      title: kind === 'remove' ? `Remove ${member.name} from team ${team.name}` : 'Remove team admin',
      status,
      body: (
        <TeamMemberConfirmPage team={team} member={member} kind={kind} errors={errors} inDialog={isHtmx(c)} />
      ),
    });
  };

  app.get('/teams/:id/members/:userId/remove', guard(deps, 'signed-in'), async (c) => {
    try {
      return await memberConfirmPage(c, 'remove');
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/teams/:id/members/:userId/remove', guard(deps, 'signed-in'), async (c) => {
    const id = c.req.param('id');
    try {
      await removeTeamMember(actionContext(c, deps), id, c.req.param('userId'));
      return redirectWithFlash(c, `/teams/${id}`, 'Member removed from the team.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        memberConfirmPage(c, 'remove', errors, status as Status),
      );
    }
  });

  app.get('/teams/:id/members/:userId/admin', guard(deps, { permission: 'teams.manage' }), async (c) => {
    try {
      return await memberConfirmPage(c, 'admin');
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/teams/:id/members/:userId/admin', guard(deps, { permission: 'teams.manage' }), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['admin']);
    try {
      await setTeamAdmin(actionContext(c, deps), id, c.req.param('userId'), form.admin === 'true');
      return redirectWithFlash(
        c,
        `/teams/${id}`,
        form.admin === 'true' ? 'Team admin added.' : 'Team admin removed.',
      );
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        form.admin === 'true'
          ? teamPage(c, id, { errors, status: status as Status })
          : memberConfirmPage(c, 'admin', errors, status as Status),
      );
    }
  });

  const deletePage = async (
    c: Context<SignedInEnv>,
    id: string,
    errors: FormErrors = {},
    status: Status = 200,
  ) => {
    const team = await getTeam(deps.db, id);
    return renderPage(c, {
      title: `Delete team ${team.name}`,
      status,
      body: (
        <ConfirmPage
          inDialog={isHtmx(c)}
          title={`Delete team ${team.name}?`}
          action={`/teams/${id}/delete`}
          confirmLabel={`Delete team ${team.name}`}
          cancelHref={`/teams/${id}`}
          errors={errors}
        >
          <p>
            Its {team.members.length} {team.members.length === 1 ? 'member loses' : 'members lose'} the access
            the team's role bindings give them. Their own bindings stay.
          </p>
        </ConfirmPage>
      ),
    });
  };

  app.get('/teams/:id/delete', guard(deps, { permission: 'teams.manage' }), async (c) => {
    try {
      return await deletePage(c, c.req.param('id'));
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/teams/:id/delete', guard(deps, { permission: 'teams.manage' }), async (c) => {
    const id = c.req.param('id');
    try {
      await deleteTeam(actionContext(c, deps), id);
      return redirectWithFlash(c, '/teams', 'Team deleted.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => deletePage(c, id, errors, status as Status));
    }
  });

  return app;
}
