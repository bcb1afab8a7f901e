import type { Context } from 'hono';
import { Hono } from 'hono';
import { AccessPage, accessLabel, subjectLabel } from '../../views/access/access';
import { BindingEditPage } from '../../views/access/binding-edit';
import { type BindingFormValues, EMPTY_BINDING } from '../../views/access/binding-form';
import { EffectiveAccessPage } from '../../views/access/effective-access';
import { RemoveBindingPage } from '../../views/access/remove-binding';
import { lastDay } from '../../views/components/format';
import { NotFoundError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields, formValues } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { safeNext } from '../web/safe-next';
import { actionContext } from '../web/session';
import { createBinding, deleteBinding, listBindings, updateBinding } from './bindings';
import { effectiveAccess } from './effective-access';
import { projectName, switchProject } from './projects';
import { listRoles } from './roles';
import { listTeams } from './teams';

const BINDING_FIELDS = ['subject', 'email', 'teamId', 'access', 'scope', 'until'] as const;
const VIEW = { permission: 'users.view' } as const;
const MANAGE = { permission: 'users.manage' } as const;

/** The role bindings of the current project (mounted on /access). */
export function accessRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();

  const accessPage = async (
    c: Context<SignedInEnv>,
    values?: BindingFormValues,
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const { projectId, permissions } = c.var.user;
    const [bindings, roles, teams, name] = await Promise.all([
      listBindings(deps.db, projectId, now()),
      listRoles(deps.db, now()),
      listTeams(deps.db),
      projectName(deps.db, projectId),
    ]);
    return renderPage(c, {
      title: `Access in ${name}`,
      status,
      body: (
        <AccessPage
          projectName={name}
          bindings={bindings}
          roles={roles}
          teams={teams}
          canManage={permissions.has('users.manage')}
          values={values}
          errors={errors}
        />
      ),
    });
  };

  app.get('/', guard(deps, VIEW), (c) => accessPage(c));

  app.post('/bindings', guard(deps, MANAGE), async (c) => {
    const { fields, lists } = await formValues(c, BINDING_FIELDS, ['permissions']);
    try {
      await createBinding(actionContext(c, deps), c.var.user.projectId, {
        ...fields,
        permissions: lists.permissions,
      });
      const who = fields.subject === 'team' ? 'The team' : (fields.email?.trim() ?? '');
      return redirectWithFlash(c, '/access', `${who} now has that access. It applies on their next request.`);
    } catch (error) {
      const values: BindingFormValues = {
        ...EMPTY_BINDING,
        ...fields,
        permissions: new Set(lists.permissions),
      };
      return renderRefusal(c, error, (errors, status) => accessPage(c, values, errors, status));
    }
  });

  /** A binding that applies in the current project (its own or account-wide), or undefined. */
  const findBinding = async (c: Context<SignedInEnv>, id: string) =>
    (await listBindings(deps.db, c.var.user.projectId, now())).find((b) => b.id === id);

  const bindingPage = async (
    c: Context<SignedInEnv>,
    id: string,
    values?: { access: string; permissions: ReadonlySet<string>; until: string },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const binding = await findBinding(c, id);
    if (!binding) return renderStatusPage(c, 404);
    const roles = await listRoles(deps.db, now());
    const current = {
      access: binding.role?.id ?? 'manual',
      permissions: new Set(binding.role ? [] : binding.permissions),
      until: lastDay(binding.expiresAt),
    };
    return renderPage(c, {
      title: `Change access of ${subjectLabel(binding)} · Access`,
      status,
      body: <BindingEditPage binding={binding} roles={roles} values={values ?? current} errors={errors} />,
    });
  };

  app.get('/bindings/:id', guard(deps, MANAGE), (c) => bindingPage(c, c.req.param('id')));

  app.post('/bindings/:id', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const { fields, lists } = await formValues(c, ['access', 'until'] as const, ['permissions']);
    try {
      await updateBinding(actionContext(c, deps), id, { ...fields, permissions: lists.permissions });
      return redirectWithFlash(c, '/access', 'Access changed. It applies on their next request.');
    } catch (error) {
      const values = {
        access: fields.access ?? '',
        until: fields.until ?? '',
        permissions: new Set(lists.permissions),
      };
      return renderRefusal(c, error, (errors, status) => bindingPage(c, id, values, errors, status));
    }
  });

  const removePage = async (
    c: Context<SignedInEnv>,
    id: string,
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const binding = await findBinding(c, id);
    if (!binding) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `Remove ${accessLabel(binding)} from ${subjectLabel(binding)} · Access`,
      status,
      body: <RemoveBindingPage binding={binding} errors={errors} inDialog={isHtmx(c)} />,
    });
  };

  app.get('/bindings/:id/delete', guard(deps, MANAGE), (c) => removePage(c, c.req.param('id')));

  app.post('/bindings/:id/delete', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    try {
      await deleteBinding(actionContext(c, deps), id);
      return redirectWithFlash(c, '/access', 'Role binding removed.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => removePage(c, id, errors, status));
    }
  });

  return app;
}

/** A person's effective access in every project (mounted on /users: /users/:id/access). */
export function userAccessRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();
  app.get('/:id/access', guard(deps, VIEW), async (c) => {
    try {
      const access = await effectiveAccess(deps.db, c.req.param('id'), now(), c.var.user.id);
      return renderPage(c, {
        title: `Access of ${access.user.name} · Users`,
        body: <EffectiveAccessPage {...access} />,
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
  });

  return app;
}

/** The header's project switcher (mounted on /project): the session works in the chosen project. */
export function projectSwitchRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.post('/', guard(deps, 'signed-in'), async (c) => {
    const form = await formFields(c, ['projectId', 'returnTo']);
    const session = c.get('session');
    const back = safeNext(form.returnTo) ?? '/';
    try {
      if (session) await switchProject(actionContext(c, deps), session.sessionId, form);
      return c.redirect(back, 303);
    } catch (error) {
      return renderRefusal(c, error, (errors) =>
        redirectWithFlash(c, back, errors.projectId ?? errors.form ?? 'Could not switch project.'),
      );
    }
  });

  return app;
}
