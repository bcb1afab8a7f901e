import type { Context } from 'hono';
import { TeamPage } from '../../views/access/team';
import { NotFoundError } from '../core/errors';
import type { AppDeps } from '../web/env';
import type { SignedInEnv } from '../web/guard';
import type { FormErrors, PageStatus } from '../web/refusal';
import { renderPage, renderStatusPage } from '../web/render';
import { mayOpenTeam } from './team-members';
import { getTeam, teamBindings } from './teams';

/**
 * A team's page, for those who manage teams and for that team's admins; where its forms come
 * back to with a refusal.
 */
export async function renderTeamPage(
  c: Context<SignedInEnv>,
  deps: AppDeps,
  id: string,
  options: {
    values?: { name: string; description: string; email: string };
    errors?: FormErrors;
    status?: PageStatus;
  } = {},
) {
  let team: Awaited<ReturnType<typeof getTeam>>;
  try {
    team = await getTeam(deps.db, id);
  } catch (error) {
    if (error instanceof NotFoundError) return renderStatusPage(c, 404);
    throw error;
  }
  if (!(await mayOpenTeam(deps.db, c.var.user, team.id))) return renderStatusPage(c, 403);
  return renderPage(c, {
    title: `Team ${team.name} · Teams`,
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
}
