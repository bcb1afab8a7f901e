import type { Context } from 'hono';
import { Hono } from 'hono';
import { LinkSentPage } from '../../views/users/link-sent';
import { NewUserPage } from '../../views/users/new-user';
import { roleAndTeamChoices } from '../access/choices';
import { projectName } from '../access/projects';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, renderPage } from '../web/render';
import { actionContext } from '../web/session';
import { createUser } from './create';

const MANAGE = { permission: 'users.manage' } as const;

/** "Create user": a person with a role in the current project, emailed a link to set a password. */
export function createUserRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const newUserPage = async (
    c: Context<SignedInEnv>,
    values?: { name: string; email: string; roleId: string },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const [choices, project] = await Promise.all([
      roleAndTeamChoices(deps.db),
      projectName(deps.db, c.var.user.projectId),
    ]);
    return renderPage(c, {
      title: 'Create user · Users',
      status,
      body: (
        <NewUserPage
          roles={choices.roles}
          projectName={project}
          values={values}
          errors={errors}
          inDialog={isHtmx(c)}
        />
      ),
    });
  };

  app.get('/new', guard(deps, MANAGE), (c) => newUserPage(c));

  app.post('/', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['name', 'email', 'roleId']);
    try {
      const result = await createUser(actionContext(c, deps), c.var.user.projectId, form);
      return renderPage(c, {
        title: 'User created · Users',
        body: (
          <LinkSentPage
            title="User created"
            message={`${form.email?.trim()} was created and emailed a link to set their password.`}
            manualLink={result.manualLink}
            userId={result.userId}
            inDialog={isHtmx(c)}
          />
        ),
      });
    } catch (error) {
      const values = { name: form.name ?? '', email: form.email ?? '', roleId: form.roleId ?? '' };
      return renderRefusal(c, error, (errors, status) => newUserPage(c, values, errors, status));
    }
  });

  return app;
}
