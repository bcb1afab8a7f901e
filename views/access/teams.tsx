import type { TeamSummary } from '../../src/access/teams';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { TableScroll } from '../components/table-scroll';

export function TeamsPage({
  teams,
  values = { name: '', description: '' },
  errors = {},
}: {
  teams: TeamSummary[];
  values?: { name: string; description: string };
  errors?: FieldErrors;
}) {
  return (
    <section>
      <h1>Teams</h1>
      <p>
        A team's role bindings apply to all its members. Team admins may add and remove members of their team.
        Teams managed by the directory get their name and members from your company directory (SCIM).
      </p>
      {teams.length === 0 ? (
        <EmptyState id="no-teams">
          No teams yet. <a href="#create-team">Create a team</a> to give several people the same roles at
          once.
        </EmptyState>
      ) : (
        <TableScroll captionId="teams-caption">
          <table>
            <caption id="teams-caption">All teams ({teams.length})</caption>
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Description</th>
                <th scope="col">Members</th>
                <th scope="col">Team admins</th>
                <th scope="col">Role bindings</th>
              </tr>
            </thead>
            <tbody>
              {teams.map((t) => (
                <tr>
                  <th scope="row">
                    <a href={`/teams/${t.id}`}>{t.name}</a>
                    {t.source === 'scim' ? (
                      <>
                        {' '}
                        <span class="badge">Managed by the directory</span>
                      </>
                    ) : null}
                  </th>
                  <td>{t.description}</td>
                  <td>{t.members}</td>
                  <td>{t.admins}</td>
                  <td>{t.bindings}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <section aria-labelledby="create-team">
        <h2 id="create-team">Create team</h2>
        <ErrorSummary errors={errors} labels={{ name: 'Name', description: 'Description' }} />
        <form method="post" action="/teams" novalidate>
          <Field name="name" label="Name" value={values.name} required error={errors.name} />
          <Field
            name="description"
            label="Description"
            value={values.description}
            error={errors.description}
          />
          <button type="submit">Create team</button>
        </form>
      </section>
    </section>
  );
}
