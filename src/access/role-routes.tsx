import type { Context } from 'hono';
import { Hono } from 'hono';
import { RoleEditor } from '../../views/access/role-editor';
import { DeleteRolePage, RolesPage } from '../../views/access/roles';
import { NotFoundError } from '../core/errors';
import { plural } from '../core/plural';
import type { AppDeps, AppEnv } from '../web/env';
import { formValues } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { createRole, deleteRole, getRole, listRoles, roleDeletionImpact, updateRole } from './roles';

const ROLE_FIELDS = ['name', 'description'] as const;

export function roleRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();

  app.get('/', guard(deps, { permission: 'users.view' }), async (c) => {
    const roles = await listRoles(deps.db, now());
    return renderPage(c, {
      title: 'Roles',
      body: <RolesPage roles={roles} canManage={c.var.user.permissions.has('roles.manage')} />,
    });
  });

  app.get('/new', guard(deps, { permission: 'roles.manage' }), (c) =>
    renderPage(c, {
      title: 'Create role · Roles',
      body: <RoleEditor mode="new" values={{ name: '', description: '', permissions: new Set() }} />,
    }),
  );

  app.post('/', guard(deps, { permission: 'roles.manage' }), async (c) => {
    const { fields, lists } = await formValues(c, ROLE_FIELDS, ['permissions']);
    const input = { ...fields, permissions: lists.permissions };
    try {
      const id = await createRole(actionContext(c, deps), input);
      return redirectWithFlash(c, `/roles/${id}`, `Role ${fields.name?.trim()} created.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        renderPage(c, {
          title: 'Create role · Roles',
          status,
          body: (
            <RoleEditor
              mode="new"
              values={{
                name: fields.name ?? '',
                description: fields.description ?? '',
                permissions: new Set(lists.permissions),
              }}
              errors={errors}
            />
          ),
        }),
      );
    }
  });

  app.get('/:id', guard(deps, { permission: 'users.view' }), async (c) => {
    try {
      const role = await getRole(deps.db, c.req.param('id'), now());
      const editable = !role.builtin && c.var.user.permissions.has('roles.manage');
      return renderPage(c, {
        title: editable ? `Edit role ${role.name} · Roles` : `Role ${role.name} · Roles`,
        body: (
          <RoleEditor
            mode={editable ? 'edit' : 'view'}
            id={role.id}
            values={{
              name: role.name,
              description: role.description,
              permissions: new Set(role.permissions),
            }}
            holders={{ people: role.people, teams: role.teams }}
          />
        ),
      });
    } catch (error) {
      if (error instanceof NotFoundError) return renderStatusPage(c, 404);
      throw error;
    }
  });

  app.post('/:id', guard(deps, { permission: 'roles.manage' }), async (c) => {
    const id = c.req.param('id');
    const { fields, lists } = await formValues(c, ROLE_FIELDS, ['permissions']);
    try {
      await updateRole(actionContext(c, deps), id, { ...fields, permissions: lists.permissions });
      return redirectWithFlash(
        c,
        `/roles/${id}`,
        `Role ${fields.name?.trim()} saved. It applies on each holder's next request.`,
      );
    } catch (error) {
      // Named as stored: the name typed may be the refused part.
      return renderRefusal(c, error, async (errors, status) =>
        renderPage(c, {
          title: `Edit role ${(await getRole(deps.db, id, now())).name} · Roles`,
          status,
          body: (
            <RoleEditor
              mode="edit"
              id={id}
              values={{
                name: fields.name ?? '',
                description: fields.description ?? '',
                permissions: new Set(lists.permissions),
              }}
              errors={errors}
            />
          ),
        }),
      );
    }
  });

  const deletePage = async (
    c: Context<SignedInEnv>,
    id: string,
    errors: FormErrors = {},
    status: PageStatus = 200,
  ) => {
    const role = await getRole(deps.db, id, now());
    if (role.builtin) return renderStatusPage(c, 404);
    const impact = await roleDeletionImpact(deps.db, id);
    return renderPage(c, {
      title: `Delete role ${role.name} · Roles`,
      status,
      body: <DeleteRolePage role={role} impact={impact} errors={errors} inDialog={isHtmx(c)} />,
    });
  };

  app.get('/:id/delete', guard(deps, { permission: 'roles.manage' }), async (c) => {
    try {
      return await deletePage(c, c.req.param('id'));
    } catch (error) {
      return renderRefusal(c, error, () => renderStatusPage(c, 404));
    }
  });

  app.post('/:id/delete', guard(deps, { permission: 'roles.manage' }), async (c) => {
    const id = c.req.param('id');
    try {
      const role = await getRole(deps.db, id, now());
      const impact = await deleteRole(actionContext(c, deps), id);
      const kept =
        impact.bindings > 0
          ? ` ${plural(impact.bindings, 'binding')} became ${impact.bindings === 1 ? 'a manual permission set' : 'manual permission sets'}.`
          : '';
      return redirectWithFlash(c, '/roles', `Role ${role.name} deleted.${kept}`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => deletePage(c, id, errors, status));
    }
  });

  return app;
}
