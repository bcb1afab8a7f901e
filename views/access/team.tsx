import type { TeamMember } from '../../src/access/teams';
import { DialogLink } from '../components/dialog';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { TableScroll } from '../components/table-scroll';

export interface TeamPageProps {
  team: { id: string; name: string; description: string; members: TeamMember[] };
  bindings: Array<{ id: string; access: string; where: string }>;
  canManage: boolean;
  values?: { name: string; description: string; email: string };
  errors?: FieldErrors;
}

export function TeamPage({ team, bindings, canManage, values, errors = {} }: TeamPageProps) {
  const v = values ?? { name: team.name, description: team.description, email: '' };
  return (
    <section>
      <h1>Team {team.name}</h1>
      <p>
        {team.description || 'No description.'} {canManage ? <a href="/teams">Back to teams</a> : null}
      </p>
      <ErrorSummary
        errors={errors}
        labels={{ name: 'Name', description: 'Description', email: 'Email of the new member' }}
      />
      <h2>Role bindings</h2>
      {bindings.length === 0 ? (
        <p>This team has no role bindings: membership grants nothing yet.</p>
      ) : (
        <ul>
          {bindings.map((b) => (
            <li>
              {b.access}, {b.where}
            </li>
          ))}
        </ul>
      )}
      <TableScroll captionId="members-caption">
        <table>
          <caption id="members-caption">Members ({team.members.length})</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Team admin</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {team.members.map((m) => (
              <tr>
                <th scope="row">{m.name}</th>
                <td>{m.email}</td>
                <td>{m.isAdmin ? 'Yes' : 'No'}</td>
                <td>
                  <div class="row-actions">
                    {canManage && m.isAdmin ? (
                      <DialogLink href={`/teams/${team.id}/members/${m.userId}/admin`}>
                        Remove team admin<span class="visually-hidden"> {m.name}</span>
                      </DialogLink>
                    ) : null}
                    {canManage && !m.isAdmin ? (
                      <form method="post" action={`/teams/${team.id}/members/${m.userId}/admin`}>
                        <input type="hidden" name="admin" value="true" />
                        <button type="submit" class="button-link">
                          Make team admin<span class="visually-hidden"> {m.name}</span>
                        </button>
                      </form>
                    ) : null}
                    <DialogLink href={`/teams/${team.id}/members/${m.userId}/remove`}>
                      Remove<span class="visually-hidden"> {m.name} from the team</span>
                    </DialogLink>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <section aria-labelledby="add-member">
        <h2 id="add-member">Add member</h2>
        <form method="post" action={`/teams/${team.id}/members`} novalidate>
          <Field
            name="email"
            label="Email of the new member"
            type="email"
            value={v.email}
            required
            error={errors.email}
            autocomplete="off"
          />
          {canManage ? (
            <label class="choice">
              <input type="checkbox" name="admin" value="on" /> Make them a team admin
            </label>
          ) : null}
          <button type="submit">Add member</button>
        </form>
      </section>
      {canManage ? (
        <section aria-labelledby="edit-team">
          <h2 id="edit-team">Edit team</h2>
          <form method="post" action={`/teams/${team.id}`} novalidate>
            <Field name="name" label="Name" value={v.name} required error={errors.name} />
            <Field name="description" label="Description" value={v.description} error={errors.description} />
            <div class="actions">
              <button type="submit">Save team</button>
              <DialogLink href={`/teams/${team.id}/delete`}>Delete team {team.name}</DialogLink>
            </div>
          </form>
        </section>
      ) : null}
    </section>
  );
}
