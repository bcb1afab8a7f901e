import type { Context } from 'hono';
import { Hono } from 'hono';
import { DeleteTeamPage } from '../../views/access/team-confirm';
import { TeamsPage } from '../../views/access/teams';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { renderTeamPage } from './team-page';
import {
  createTeam,
  deleteTeam,
  directoryTeamRefusal,
  getTeam,
  isDirectoryTeam,
  listTeams,
  updateTeam,
} from './teams';

const MANAGE = { permission: 'teams.manage' } as const;

/**
 * Team pages. A team's own page is open to signed-in users who manage teams or administer that
 * team; the domain functions enforce who may do what on it. A directory team's name and members
 * are the directory's: its page offers no change to them, and a change asked anyway is refused (409).
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

  app.get('/', guard(deps, MANAGE), (c) => teamsPage(c));

  app.post('/', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['name', 'description']);
    try {
      const id = await createTeam(actionContext(c, deps), form);
      return redirectWithFlash(c, `/teams/${id}`, `Team ${form.name?.trim()} created.`);
    } catch (error) {
      const values = { name: form.name ?? '', description: form.description ?? '' };
      return renderRefusal(c, error, (errors, status) => teamsPage(c, values, errors, status));
    }
  });

  app.get('/:id', guard(deps, 'signed-in'), (c) => renderTeamPage(c, deps, c.req.param('id')));

  app.post('/:id', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['name', 'description']);
    try {
      await updateTeam(actionContext(c, deps), id, form);
      return redirectWithFlash(c, `/teams/${id}`, 'Team saved.');
    } catch (error) {
      const values = { name: form.name ?? '', description: form.description ?? '', email: '' };
      return renderRefusal(c, error, (errors, status) =>
        renderTeamPage(c, deps, id, { values, errors, status }),
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
    // Not deleted by hand: its page says why, rather than a confirmation bound to be refused.
    if (isDirectoryTeam(team))
      return renderTeamPage(c, deps, id, {
        errors: { form: directoryTeamRefusal(team.name).message },
        status: 409,
      });
    return renderPage(c, {
      title: `Delete team ${team.name} · Teams`,
      status,
      body: <DeleteTeamPage team={team} errors={errors} inDialog={isHtmx(c)} />,
    });
  };

  app.get('/:id/delete', guard(deps, MANAGE), async (c) => {
    try {
      return await deletePage(c, c.req.param('id'));
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/:id/delete', guard(deps, MANAGE), async (c) => {
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
