import type { TeamMember } from '../../src/access/teams';
import { DialogLink } from '../components/dialog';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { TableScroll } from '../components/table-scroll';

export interface TeamPageProps {
  team: {
    id: string;
    name: string;
    description: string;
    /** 'scim': pushed by the directory, which manages its name and members. */
    source: 'scim' | null;
    externalId: string | null;
    members: TeamMember[];
  };
  bindings: Array<{ id: string; access: string; where: string }>;
  canManage: boolean;
  values?: { name: string; description: string; email: string };
  errors?: FieldErrors;
}

/** How a membership came to be, in words. */
export function membershipSource(m: Pick<TeamMember, 'source' | 'providerName'>): string {
  if (m.source === 'scim') return 'From the directory';
  if (m.source === 'sso')
    return m.providerName ? `From single sign-on (${m.providerName})` : 'From single sign-on';
  return 'Added by hand';
}

export function TeamPage({ team, bindings, canManage, values, errors = {} }: TeamPageProps) {
  const v = values ?? { name: team.name, description: team.description, email: '' };
  // A directory team's name and members change in the directory only; its bindings stay ours.
  const directory = team.source === 'scim';
  const fromSignOn = !directory && team.members.some((m) => m.source === 'sso');
  return (
    <section>
      <h1>Team {team.name}</h1>
      <p>
        {team.description || 'No description.'} {canManage ? <a href="/teams">Back to teams</a> : null}
      </p>
      {directory ? (
        <div class="callout" id="directory-note">
          <p>This team is managed by your company directory (SCIM): its name and members change there.</p>
          <p>
            Its role bindings are set in Gatehouse
            {canManage ? (
              <>
                , on the <a href="/access">Access</a> page
              </>
            ) : null}
            : they give its members their roles.
            {team.externalId ? (
              <>
                {' '}
                Directory ID: <code>{team.externalId}</code>.
              </>
            ) : null}
          </p>
        </div>
      ) : null}
      <ErrorSummary
        errors={errors}
        labels={{ name: 'Name', description: 'Description', email: 'Email of the new member' }}
      />
      <h2>Role bindings</h2>
      {bindings.length === 0 ? (
        <EmptyState id="no-team-bindings">
          This team has no role bindings: membership grants nothing yet.
          {canManage ? (
            <>
              {' '}
              Give it a role on the <a href="/access">Access</a> page.
            </>
          ) : null}
        </EmptyState>
      ) : (
        <ul>
          {bindings.map((b) => (
            <li>
              {b.access}, {b.where}
            </li>
          ))}
        </ul>
      )}
      {team.members.length === 0 ? (
        <EmptyState id="no-members">
          {directory ? (
            'No members yet: your company directory adds them.'
          ) : (
            <>
              No members yet. <a href="#add-member">Add a member</a> by their email address.
            </>
          )}
        </EmptyState>
      ) : (
        <TableScroll captionId="members-caption">
          <table>
            <caption id="members-caption">Members ({team.members.length})</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Source</th>
                <th scope="col">Team admin</th>
                {directory ? null : <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {team.members.map((m) => (
                <tr>
                  <th scope="row">{m.name}</th>
                  <td>{m.email}</td>
                  <td>{membershipSource(m)}</td>
                  <td>{m.isAdmin ? 'Yes' : 'No'}</td>
                  {directory ? null : (
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
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {fromSignOn ? (
        <p class="hint" id="sign-on-note">
          Members from single sign-on were added because their identity provider put them in a group mapped to
          this team. You may remove them here, but their next sign-in through that provider adds them back
          while the provider still puts them in the group.
        </p>
      ) : null}
      {directory ? null : (
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
      )}
      {canManage && !directory ? (
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
