import type { Context } from 'hono';
import { Hono } from 'hono';
import { TeamPage } from '../../views/access/team';
import { DeleteTeamPage, TeamMemberConfirmPage } from '../../views/access/team-confirm';
import { TeamsPage } from '../../views/access/teams';
import { NotFoundError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { addTeamMember, mayOpenTeam, removeTeamMember, setTeamAdmin } from './team-members';
import { createTeam, deleteTeam, getTeam, listTeams, teamBindings, updateTeam } from './teams';

const MANAGE = { permission: 'teams.manage' } as const;

/**
 * Team pages. A team's own page is open to signed-in users who manage teams or administer that
 * team; the domain functions enforce who may do what on it.
 */
export function teamRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const teamsPage = async (
    c: Context<SignedInEnv>,
    values?: { name: string; description: string },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) =>
    renderPage(c, {
      title: 'Teams',
      status,
      body: <TeamsPage teams={await listTeams(deps.db)} values={values} errors={errors} />,
    });

  app.get('/teams', guard(deps, MANAGE), (c) => teamsPage(c));

  app.post('/teams', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['name', 'description']);
    try {
      const id = await createTeam(actionContext(c, deps), form);
      return redirectWithFlash(c, `/teams/${id}`, `Team ${form.name?.trim()} created.`);
    } catch (error) {
      const values = { name: form.name ?? '', description: form.description ?? '' };
      return renderRefusal(c, error, (errors, status) => teamsPage(c, values, errors, status));
    }
  });

  const teamPage = async (
    c: Context<SignedInEnv>,
    id: string,
    options: {
      values?: { name: string; description: string; email: string };
      errors?: FormErrors;
      status?: PageStatus;
    } = {},
  ) => {
    let team: Awaited<ReturnType<typeof getTeam>>;
    try {
      team = await getTeam(deps.db, id);
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
    if (!(await mayOpenTeam(deps.db, c.var.user, team.id))) return renderStatusPage(c, 403);
    return renderPage(c, {
      title: `Team ${team.name}`,
      status: options.status ?? 200,
      body: (
        <TeamPage
          team={team}
          bindings={await teamBindings(deps.db, id)}
          canManage={c.var.user.permissions.has('teams.manage')}
          values={options.values}
          errors={options.errors}
        />
      ),
    });
  };

  app.get('/teams/:id', guard(deps, 'signed-in'), (c) => teamPage(c, c.req.param('id')));

  app.post('/teams/:id', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['name', 'description']);
    try {
      await updateTeam(actionContext(c, deps), id, form);
      return redirectWithFlash(c, `/teams/${id}`, 'Team saved.');
    } catch (error) {
      const values = { name: form.name ?? '', description: form.description ?? '', email: '' };
      return renderRefusal(c, error, (errors, status) => teamPage(c, id, { values, errors, status }));
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
        return teamPage(c, id, { values, errors, status });
      });
    }
  });

  /** The confirmation before a member, or their team admin role, goes; the POST decides who may. */
  const memberConfirmPage = async (
    c: Context<SignedInEnv>,
    kind: 'remove' | 'admin',
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const team = await getTeam(deps.db, c.req.param('id') ?? '');
    const member = team.members.find((m) => m.userId === c.req.param('userId'));
    if (!member) return renderStatusPage(c, 404);
    // Not an admin: nothing to confirm (this is also where a confirmed password leads back to).
    if (kind === 'admin' && !member.isAdmin) return c.redirect(`/teams/${team.id}`, 303);
    if (!(await mayOpenTeam(deps.db, c.var.user, team.id))) return renderStatusPage(c, 403);
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
      return renderRefusal(c, error, (errors, status) => memberConfirmPage(c, 'remove', errors, status));
    }
  });

  app.get('/teams/:id/members/:userId/admin', guard(deps, MANAGE), async (c) => {
    try {
      return await memberConfirmPage(c, 'admin');
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/teams/:id/members/:userId/admin', guard(deps, MANAGE), async (c) => {
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
          ? teamPage(c, id, { errors, status })
          : memberConfirmPage(c, 'admin', errors, status),
      );
    }
  });

  const deletePage = async (
    c: Context<SignedInEnv>,
    id: string,
    errors: FormErrors = {},
    status: PageStatus = 200,
  ) => {
    const team = await getTeam(deps.db, id);
    return renderPage(c, {
      title: `Delete team ${team.name}`,
      status,
      body: <DeleteTeamPage team={team} errors={errors} inDialog={isHtmx(c)} />,
    });
  };

  app.get('/teams/:id/delete', guard(deps, MANAGE), async (c) => {
    try {
      return await deletePage(c, c.req.param('id'));
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/teams/:id/delete', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      await deleteTeam(actionContext(c, deps), id);
      return redirectWithFlash(c, '/teams', 'Team deleted.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => deletePage(c, id, errors, status));
    }
  });

  return app;
}
