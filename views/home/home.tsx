import type { ActivityDay } from '../../src/audit/activity';
import { ActivityChart } from '../components/activity-chart';
import type { Viewer } from '../layout';

export interface HomeProps {
  viewer: Pick<Viewer, 'name' | 'email' | 'permissions'>;
  accountName: string;
  projectName: string;
  roles: Array<{ name: string; scope: string }>;
  teams: Array<{ id: string; name: string; isAdmin: boolean }>;
  /** Sign-in activity, for those who may read account-wide audit events. */
  activity: ActivityDay[] | null;
}

export function HomePage({ viewer, accountName, projectName, roles, teams, activity }: HomeProps) {
  const administered = teams.filter((t) => t.isAdmin);
  return (
    <section>
      <h1>Welcome, {viewer.name}</h1>
      <p>
        You are signed in to <strong>{accountName}</strong> as {viewer.email}, working in{' '}
        <strong>{projectName}</strong>.
      </p>
      <h2>Your access</h2>
      {viewer.permissions.size === 0 ? (
        <p>You have no permissions in this project yet. Ask an administrator for access.</p>
      ) : (
        <p>You hold {viewer.permissions.size} permissions in this project.</p>
      )}
      {roles.length > 0 ? (
        <ul>
          {roles.map((r) => (
            <li>
              {r.name}, {r.scope}
            </li>
          ))}
        </ul>
      ) : null}
      {administered.length > 0 ? (
        <>
          <h2>Teams you administer</h2>
          <ul>
            {administered.map((t) => (
              <li>
                <a href={`/teams/${t.id}`}>{t.name}</a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {activity ? (
        <>
          <h2>Sign-ins in the last 30 days</h2>
          <ActivityChart days={activity} id="home-activity" />
          <p>
            <a href="/audit">Open the audit log</a>
          </p>
        </>
      ) : null}
    </section>
  );
}
