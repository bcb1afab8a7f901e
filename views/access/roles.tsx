import type { RoleDeletionImpact, RoleSummary } from '../../src/access/roles';
import { ConfirmPage } from '../components/confirm';
import { EmptyState } from '../components/empty-state';
import type { FieldErrors } from '../components/form';
import { plural } from '../components/format';
import { TableScroll } from '../components/table-scroll';

export function RolesPage({ roles, canManage }: { roles: RoleSummary[]; canManage: boolean }) {
  return (
    <section>
      <h1>Roles</h1>
      <p>
        A role is a named set of permissions. Built-in roles cannot be changed; custom roles can, and a change
        reaches everyone bound to the role on their next request.
      </p>
      {canManage ? (
        <p>
          <a class="button" href="/roles/new">
            Create role
          </a>
        </p>
      ) : null}
      {roles.length === 0 ? (
        <EmptyState id="no-roles">
          No roles yet.
          {canManage ? (
            <>
              {' '}
              <a href="/roles/new">Create a role</a> to name a set of permissions you give people together.
            </>
          ) : null}
        </EmptyState>
      ) : (
        <TableScroll captionId="roles-caption">
          <table>
            <caption id="roles-caption">All roles ({roles.length})</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Description</th>
                <th scope="col">Type</th>
                <th scope="col">Permissions</th>
                <th scope="col">People</th>
                <th scope="col">Teams</th>
              </tr>
            </thead>
            <tbody>
              {roles.map((role) => (
                <tr>
                  <th scope="row">
                    <a href={`/roles/${role.id}`}>{role.name}</a>
                  </th>
                  <td>{role.description}</td>
                  <td>{role.builtin ? 'Built-in' : 'Custom'}</td>
                  <td>{role.permissions.length}</td>
                  <td>{role.people}</td>
                  <td>{role.teams}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** Deleting a custom role: its holders keep their access, as manual permission sets. */
export function DeleteRolePage({
  role,
  impact,
  errors,
  inDialog,
}: {
  role: { id: string; name: string };
  impact: RoleDeletionImpact;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Delete role ${role.name}?`}
      action={`/roles/${role.id}/delete`}
      confirmLabel={`Delete role ${role.name}`}
      cancelHref={`/roles/${role.id}`}
      errors={errors}
    >
      <p>
        {impact.bindings === 0
          ? 'Nobody holds this role.'
          : `${plural(impact.people, 'person', 'people')} and ${plural(impact.teams, 'team')} hold this role (${plural(impact.bindings, 'binding')}). They keep exactly the access they have now, as a manual permission set no longer linked to a role.`}
      </p>
    </ConfirmPage>
  );
}
