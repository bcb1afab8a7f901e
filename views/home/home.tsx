import { actionText, OUTCOME_TEXT } from '../../src/audit/actions';
import type { ActivityDay } from '../../src/audit/activity';
import {
  type HomeAccess,
  type HomeAttention,
  type HomeData,
  INACTIVE_DAYS,
  SOON_DAYS,
  type Stat,
  type StatKey,
} from '../../src/home/home';
import type { ListTotal } from '../../src/lists/paging';
import { ActivityChart } from '../components/activity-chart';
import { formatNumber, plural } from '../components/format';
import { Day, Time } from '../components/time';
import type { Viewer } from '../layout';

export interface HomeProps extends HomeData {
  viewer: Pick<Viewer, 'name' | 'email' | 'permissions'>;
}

/** A count as its list's caption says it: "1,204", or "about 12,345" past the list's cap. */
const countText = (total: ListTotal) => `${total.exact ? '' : 'about '}${formatNumber(total.value)}`;
/** An estimate is never "about 1": only an exact 1 takes the singular. */
const isOne = (total: ListTotal) => total.exact && total.value === 1;

interface StatWords {
  one: string;
  many: string;
  /** What to do when the count is 0, and when it is not (null: nothing). */
  none: string;
  some: string | null;
}

const WORDS: Record<StatKey, StatWords> = {
  active: {
    one: 'active user',
    many: 'active users',
    none: 'Nobody can sign in yet.',
    some: null,
  },
  invitations: {
    one: 'pending invitation',
    many: 'pending invitations',
    none: 'No pending invitations.',
    some: null,
  },
  locked: {
    one: 'locked account',
    many: 'locked accounts',
    none: 'Nobody is locked out.',
    some: "Each person's page shows the lock and ends it.",
  },
  ending: {
    one: `account whose access or a role ends within ${SOON_DAYS} days`,
    many: `accounts whose access or a role ends within ${SOON_DAYS} days`,
    none: 'No access or role ends this week.',
    some: "Extend it on each person's page if they still need it.",
  },
  twoFactor: {
    one: 'active person without two-factor authentication',
    many: 'active people without two-factor authentication',
    none: 'Everyone active has set it up.',
    some: 'They are asked to set it up at their next sign-in.',
  },
  bounced: {
    one: 'bounced email',
    many: 'bounced emails',
    none: 'No email has bounced.',
    some: 'Check each address, then send the email again.',
  },
  inactive: {
    one: `user not signed in for ${INACTIVE_DAYS} days`,
    many: `users not signed in for ${INACTIVE_DAYS} days`,
    none: `Everyone has signed in within ${INACTIVE_DAYS} days.`,
    some: 'Deactivate the accounts nobody needs any more.',
  },
};

/** The next step beside an empty count, where the viewer may take it. */
function NextStep({ stat, permissions }: { stat: StatKey; permissions: ReadonlySet<string> }) {
  if (stat !== 'active' && stat !== 'invitations') return null;
  if (permissions.has('invitations.manage')) return <a href="/invitations/new">Invite someone</a>;
  if (stat === 'active' && permissions.has('users.manage')) return <a href="/users/new">Add a user</a>;
  return null;
}

function StatCard({ stat, permissions }: { stat: Stat; permissions: ReadonlySet<string> }) {
  const words = WORDS[stat.key];
  const { total, href } = stat.count;
  const empty = total.exact && total.value === 0;
  const hint = empty ? words.none : words.some;
  const expiring = stat.detail?.total;
  return (
    <li class={`stat stat-${stat.key}`}>
      <a href={href} class="stat-link">
        <span class="stat-value">{countText(total)}</span>{' '}
        <span class="stat-label">{isOne(total) ? words.one : words.many}</span>
      </a>
      {stat.detail && expiring && !empty ? (
        <p class="stat-detail">
          {expiring.exact && expiring.value === 0 ? (
            `None expire within ${SOON_DAYS} days.`
          ) : (
            <a href={stat.detail.href} class="stat-detail-link">
              {countText(expiring)} {isOne(expiring) ? 'invitation expires' : 'invitations expire'} within{' '}
              {SOON_DAYS} days
            </a>
          )}
        </p>
      ) : null}
      {hint || empty ? (
        <p class="stat-hint">
          {hint}
          {empty ? (
            <>
              {' '}
              <NextStep stat={stat.key} permissions={permissions} />
            </>
          ) : null}
        </p>
      ) : null}
    </li>
  );
}

function Attention({
  attention,
  permissions,
}: {
  attention: HomeAttention;
  permissions: ReadonlySet<string>;
}) {
  const { stats, requireTwoFactor, activity, security } = attention;
  // The note on 2FA belongs with the counts of users.
  const usersCounted = stats.some((s) => s.key === 'active');
  return (
    <>
      {stats.length > 0 ? (
        <section aria-labelledby="home-attention" class="home-section">
          <h2 id="home-attention">What needs attention</h2>
          <ul class="stat-grid">
            {stats.map((stat) => (
              <StatCard stat={stat} permissions={permissions} />
            ))}
          </ul>
          {usersCounted && !requireTwoFactor ? (
            <p class="stat-note">
              Two-factor authentication is not required in this account, so nobody is asked to set it up.{' '}
              {permissions.has('account.settings') ? (
                <a href="/settings">Require it in Settings</a>
              ) : (
                'An Account Admin can require it in Settings.'
              )}
            </p>
          ) : null}
        </section>
      ) : null}
      {activity ? <Activity days={activity} /> : null}
      {security ? <SecurityEvents {...security} /> : null}
    </>
  );
}

function Activity({ days }: { days: ActivityDay[] }) {
  const quiet = days.every((d) => d.signIns + d.failedSignIns + d.lockouts === 0);
  return (
    <section aria-labelledby="home-activity-heading" class="home-section">
      <h2 id="home-activity-heading">Sign-ins in the last 30 days</h2>
      {quiet ? (
        <p>Nobody has signed in for 30 days. Sign-ins and failed sign-ins show here as they happen.</p>
      ) : null}
      <ActivityChart days={days} id="home-activity" />
      <p>
        <a href="/audit">Open the audit log</a>
      </p>
    </section>
  );
}

function SecurityEvents({ events, links }: NonNullable<HomeAttention['security']>) {
  return (
    <section aria-labelledby="home-security" class="home-section">
      <h2 id="home-security">Latest security events</h2>
      {events.length === 0 ? (
        <p>
          No security events yet. Failed sign-ins, lockouts, and changes to passwords, two-factor
          authentication and access will show here. <a href="/audit">Open the audit log</a>
        </p>
      ) : (
        <ol class="home-events">
          {events.map((e) => (
            <li>
              <a href={`/audit/events/${e.id}`}>
                {actionText(e.action)}
                {e.outcome === 'success' ? '' : ` (${OUTCOME_TEXT[e.outcome].toLowerCase()})`}
                <span class="visually-hidden">, event {e.id}</span>
              </a>
              <span class="home-event-meta">
                {e.targetLabel ?? e.actorLabel} · <Time at={e.occurredAt} />
              </span>
            </li>
          ))}
        </ol>
      )}
      <p class="actions">
        <a href={links.failedSignIns}>Failed sign-ins in the audit log</a>
        <a href={links.changes}>Security changes in the audit log</a>
      </p>
    </section>
  );
}

function YourAccess({ access, projectName }: { access: HomeAccess; projectName: string }) {
  const { projects, roles, teams } = access;
  const administered = teams.filter((t) => t.isAdmin);
  const others = teams.filter((t) => !t.isAdmin);
  const elsewhere = projects.some((p) => !p.current);
  return (
    <>
      <section aria-labelledby="home-projects" class="home-section">
        <h2 id="home-projects">Your projects</h2>
        {projects.length === 0 ? (
          <p>You have no access to any project yet. Ask an administrator for access.</p>
        ) : (
          <ul class="home-projects">
            {projects.map((p) => (
              <li>
                {p.current ? (
                  <>
                    <strong>{p.name}</strong> (the project you are working in),{' '}
                    {plural(p.permissions, 'permission', 'permissions')}
                  </>
                ) : (
                  <form method="post" action="/project" class="home-switch">
                    <input type="hidden" name="projectId" value={p.id} />
                    <input type="hidden" name="returnTo" value="/" />
                    <span>
                      {p.name}, {plural(p.permissions, 'permission', 'permissions')}
                    </span>{' '}
                    <button type="submit" class="button-secondary">
                      Work in {p.name}
                    </button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="home-roles" class="home-section">
        <h2 id="home-roles">Your roles in {projectName}</h2>
        {roles.length === 0 ? (
          <p>
            You have no role in this project, so you cannot do anything here yet.{' '}
            {elsewhere ? 'Work in one of your other projects, or ask' : 'Ask'} an administrator for a role.
          </p>
        ) : (
          <ul>
            {roles.map((r) => (
              <li>
                {r.name}, {r.accountWide ? 'in every project' : 'in this project'}
                {r.expiresAt ? (
                  <>
                    , until <Day at={r.expiresAt} />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="home-teams" class="home-section">
        <h2 id="home-teams">Your teams</h2>
        {teams.length === 0 ? <p>You are not in any team. An administrator adds people to teams.</p> : null}
        {administered.length > 0 ? (
          <>
            <h3>Teams you administer</h3>
            <p class="hint">Open a team to add or remove its members.</p>
            <ul>
              {administered.map((t) => (
                <li>
                  <a href={`/teams/${t.id}`}>{t.name}</a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {others.length > 0 ? (
          <>
            {administered.length > 0 ? <h3>Teams you are in</h3> : null}
            <ul>
              {others.map((t) => (
                <li>{t.name}</li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
    </>
  );
}

export function HomePage({ viewer, accountName, projectName, attention, access }: HomeProps) {
  return (
    <section class="home">
      <h1>Welcome, {viewer.name}</h1>
      <p>
        You are signed in to <strong>{accountName}</strong> as {viewer.email}, working in{' '}
        <strong>{projectName}</strong>.
      </p>
      {attention ? <Attention attention={attention} permissions={viewer.permissions} /> : null}
      {access ? <YourAccess access={access} projectName={projectName} /> : null}
    </section>
  );
}
