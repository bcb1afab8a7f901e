import type { Context } from 'hono';
import { Hono } from 'hono';
import { UserEditPage } from '../../views/users/user-edit';
import { roleAndTeamChoices } from '../access/choices';
import { NotFoundError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formValues } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { editUser, type UserEditState, type UserEditWas, userEditState } from './edit';
import { renderUserPage } from './user-page';

const VIEW = { permission: 'users.view' } as const;
const MANAGE = { permission: 'users.manage' } as const;

/** The user page and its edit dialog (name, language, end of access, role here, teams). */
export function userPageRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/:id', guard(deps, VIEW), (c) => renderUserPage(c, deps, c.req.param('id')));

  const editPage = async (
    c: Context<SignedInEnv>,
    id: string,
    posted?: { values: UserEditState; was: UserEditWas | undefined },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const { projectId } = c.var.user;
    try {
      const [{ user, values: current }, { roles, teams }] = await Promise.all([
        userEditState(deps.db, id, projectId),
        roleAndTeamChoices(deps.db),
      ]);
      const projectName = c.get('projects')?.find((p) => p.id === projectId)?.name ?? 'this project';
      return renderPage(c, {
        title: `Edit ${user.name} · Users`,
        status,
        body: (
          <UserEditPage
            user={user}
            values={posted?.values ?? current}
            was={posted?.was ?? current}
            roles={roles}
            teams={teams}
            projectName={projectName}
            errors={errors}
            inDialog={isHtmx(c)}
          />
        ),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
  };

  app.get('/:id/edit', guard(deps, MANAGE), (c) => editPage(c, c.req.param('id')));

  app.post('/:id/edit', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const { fields, lists } = await formValues(
      c,
      ['name', 'language', 'until', 'roleId', 'opened', 'untilWas', 'roleIdWas'],
      ['teamIds', 'teamIdsWas'],
    );
    // What the dialog showed when it opened: a field changed meanwhile by someone else is kept.
    const was: UserEditWas | undefined = fields.opened
      ? { until: fields.untilWas ?? '', roleId: fields.roleIdWas ?? '', teamIds: lists.teamIdsWas }
      : undefined;
    try {
      const { changed } = await editUser(actionContext(c, deps), id, c.var.user.projectId, {
        name: fields.name,
        language: fields.language,
        until: fields.until,
        roleId: fields.roleId,
        teamIds: lists.teamIds,
        was,
      });
      return redirectWithFlash(c, `/users/${id}`, changed.length > 0 ? 'Changes saved.' : 'Nothing changed.');
    } catch (error) {
      const values: UserEditState = {
        name: fields.name ?? '',
        language: fields.language ?? '',
        until: fields.until ?? '',
        roleId: fields.roleId ?? '',
        teamIds: lists.teamIds,
      };
      return renderRefusal(c, error, (errors, status) => editPage(c, id, { values, was }, errors, status));
    }
  });

  return app;
}
