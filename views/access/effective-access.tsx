import type { ProjectAccess } from '../../src/access/effective-access';
import { EmptyState } from '../components/empty-state';
import { lastDay } from '../components/format';
import { TableScroll } from '../components/table-scroll';

export function EffectiveAccessPage({
  user,
  projects,
  teams,
}: {
  user: { id: string; name: string; email: string };
  projects: ProjectAccess[];
  teams: Array<{ id: string; name: string; isAdmin: boolean }>;
}) {
  return (
    <section>
      <h1>Access of {user.name}</h1>
      <p>
        {user.email}. Every permission {user.name} holds, per project, and where it comes from.
      </p>
      <h2>Teams</h2>
      {teams.length === 0 ? (
        <EmptyState id="no-teams">
          {user.name} is in no team. Teams are chosen when editing them on{' '}
          <a href={`/users/${user.id}`}>their page</a>.
        </EmptyState>
      ) : (
        <ul>
          {teams.map((t) => (
            <li>
              <a href={`/teams/${t.id}`}>{t.name}</a>
              {t.isAdmin ? ' (team admin)' : ''}
            </li>
          ))}
        </ul>
      )}
      <AccessByProject name={user.name} projects={projects} headingLevel={2} />
    </section>
  );
}

/** Each project's permissions and their sources; shared by the access view and the user page. */
export function AccessByProject({
  name,
  projects,
  headingLevel,
}: {
  name: string;
  projects: ProjectAccess[];
  headingLevel: 2 | 3;
}) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <>
      {projects.map((project) => (
        <section aria-labelledby={`project-${project.projectId}`}>
          <Heading id={`project-${project.projectId}`}>{project.projectName}</Heading>
          {project.permissions.length === 0 ? (
            <EmptyState>
              No access in {project.projectName}: no role binding of theirs or of their teams applies here.
              Role bindings are given on the <a href="/access">Access</a> page.
            </EmptyState>
          ) : (
            <TableScroll captionId={`project-${project.projectId}-caption`}>
              <table>
                <caption id={`project-${project.projectId}-caption`}>
                  Permissions of {name} in {project.projectName}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Permission</th>
                    <th scope="col">Area</th>
                    <th scope="col">Comes from</th>
                  </tr>
                </thead>
                <tbody>
                  {project.permissions.map((p) => (
                    <tr>
                      <th scope="row">{p.label}</th>
                      <td>{p.area}</td>
                      <td>
                        <ul class="plain">
                          {p.sources.map((s) => (
                            <li>
                              {s.label} ({s.kind}, {s.accountWide ? 'whole account' : 'this project'}
                              {s.expiresAt ? `, until ${lastDay(s.expiresAt)}` : ''})
                            </li>
                          ))}
                        </ul>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </section>
      ))}
    </>
  );
}
