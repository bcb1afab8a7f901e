import type { TeamMember, TeamSummary } from '../../src/access/teams';
import { ConfirmPage } from '../components/confirm';
import { DialogLink } from '../components/dialog';
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
      </p>
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

/** Removing a member, or their team admin role, asks first like every other removal. */
export function TeamMemberConfirmPage({
  team,
  member,
  kind,
  errors,
  inDialog,
}: {
  team: { id: string; name: string };
  member: TeamMember;
  kind: 'remove' | 'admin';
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const remove = kind === 'remove';
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={
        remove ? `Remove ${member.name} from team ${team.name}?` : `Remove ${member.name} as team admin?`
      }
      action={`/teams/${team.id}/members/${member.userId}/${kind}`}
      confirmLabel={remove ? 'Remove from the team' : 'Remove team admin'}
      cancelHref={`/teams/${team.id}`}
      errors={errors}
    >
      {remove ? null : <input type="hidden" name="admin" value="false" />}
      <p>
        {remove
          ? "They lose the access the team's role bindings give them, on their next request. Their own bindings stay."
          : 'They stay a member, but can no longer add or remove members of this team.'}
      </p>
    </ConfirmPage>
  );
}
