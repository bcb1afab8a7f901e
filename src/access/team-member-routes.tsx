import type { Context } from 'hono';
import { Hono } from 'hono';
import { TeamMemberConfirmPage } from '../../views/access/team-confirm';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { addTeamMember, mayOpenTeam, removeTeamMember, setTeamAdmin } from './team-members';
import { renderTeamPage } from './team-page';
import { directoryTeamRefusal, getTeam, isDirectoryTeam } from './teams';

const MANAGE = { permission: 'teams.manage' } as const;

/**
 * A team's members: team admins may add and remove them (the domain functions check who may),
 * and only those who manage teams make or unmake team admins. Nobody does either by hand on a
 * directory team: the directory manages its members (409, and its page says so).
 */
export function teamMemberRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.post('/:id/members', guard(deps, 'signed-in'), async (c) => {
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
        return renderTeamPage(c, deps, id, { values, errors, status });
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
    // Nothing to confirm: its page says why, rather than a confirmation bound to be refused.
    if (isDirectoryTeam(team))
      return renderTeamPage(c, deps, team.id, {
        errors: { form: directoryTeamRefusal(team.name).message },
        status: 409,
      });
    return renderPage(c, {
      title: `${kind === 'remove' ? `Remove ${member.name} from team ${team.name}` : `Remove ${member.name} as team admin`} · Teams`,
      status,
      body: (
        <TeamMemberConfirmPage team={team} member={member} kind={kind} errors={errors} inDialog={isHtmx(c)} />
      ),
    });
  };

  app.get('/:id/members/:userId/remove', guard(deps, 'signed-in'), async (c) => {
    try {
      return await memberConfirmPage(c, 'remove');
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/:id/members/:userId/remove', guard(deps, 'signed-in'), async (c) => {
    const id = c.req.param('id');
    try {
      await removeTeamMember(actionContext(c, deps), id, c.req.param('userId'));
      return redirectWithFlash(c, `/teams/${id}`, 'Member removed from the team.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => memberConfirmPage(c, 'remove', errors, status));
    }
  });

  app.get('/:id/members/:userId/admin', guard(deps, MANAGE), async (c) => {
    try {
      return await memberConfirmPage(c, 'admin');
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/:id/members/:userId/admin', guard(deps, MANAGE), async (c) => {
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
          ? renderTeamPage(c, deps, id, { errors, status })
          : memberConfirmPage(c, 'admin', errors, status),
      );
    }
  });

  return app;
}
