import type { RoleSummary } from '../../src/access/roles';
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
    </section>
  );
}
