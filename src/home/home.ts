import { effectiveAccess } from '../access/effective-access';
import { getSettings } from '../account/read-settings';
import { type ActivityDay, signInActivity } from '../audit/activity';
import { invitationList } from '../invitations/list';
import { mailList } from '../mail/list';
import { userList } from '../users/list';
import { countListed, type ListCount, type ListViewer, mayOpen } from './list-counts';
import { type HomeSecurityEvent, latestSecurityEvents, securityEventLinks } from './security-events';

/**
 * What the home page tells the signed-in user. An administrator (anyone who may open the users,
 * invitations, email or audit lists) sees what needs attention: counts that each link to the
 * filtered list they count (list-counts.ts), the sign-in chart and the latest security events.
 * Everyone else sees their projects, their roles here and their teams.
 */

/** "This week", for invitations and access that end soon; and "inactive", for sign-ins. */
export const SOON_DAYS = 7;
export const INACTIVE_DAYS = 90;

export type StatKey = 'active' | 'invitations' | 'locked' | 'ending' | 'twoFactor' | 'bounced' | 'inactive';

export interface Stat {
  key: StatKey;
  count: ListCount;
  /** Pending invitations: those of them that expire within SOON_DAYS. */
  detail?: ListCount;
}

export interface HomeAttention {
  stats: Stat[];
  /** Whether the account requires 2FA; when not, the page says so instead of counting. */
  requireTwoFactor: boolean;
  /** Sign-ins per day, for those who may read account-wide events. */
  activity: ActivityDay[] | null;
  /** For those who may open the audit log. */
  security: { events: HomeSecurityEvent[]; links: ReturnType<typeof securityEventLinks> } | null;
}

export interface HomeAccess {
  /** The projects where they hold any permission, the current one marked. */
  projects: Array<{ id: string; name: string; current: boolean; permissions: number }>;
  /** Their roles and permission sets in the current project, once each. */
  roles: Array<{ name: string; accountWide: boolean; expiresAt: Date | null }>;
  teams: Array<{ id: string; name: string; isAdmin: boolean }>;
}

export interface HomeData {
  accountName: string;
  projectName: string;
  /** Set for administrators. */
  attention: HomeAttention | null;
  /** Set for everyone else. */
  access: HomeAccess | null;
}

/** Whether the viewer may open one of the lists the home page counts, or the audit log. */
export function isAdministrator(viewer: ListViewer): boolean {
  return (
    mayOpen(userList, viewer) ||
    mayOpen(invitationList, viewer) ||
    mayOpen(mailList, viewer) ||
    viewer.permissions.has('audit.view')
  );
}

type Pending = Promise<Stat | null>;

/** The counts the viewer may see, all at once. */
function attentionStats(viewer: ListViewer, requireTwoFactor: Promise<boolean>): Pending[] {
  const stat = (key: StatKey, count: Promise<ListCount>): Pending => count.then((c) => ({ key, count: c }));
  const stats: Pending[] = [];
  const users = mayOpen(userList, viewer);
  if (users) stats.push(stat('active', countListed(userList, viewer, { status: 'active' })));
  if (mayOpen(invitationList, viewer)) {
    stats.push(
      Promise.all([
        countListed(invitationList, viewer, { state: 'pending' }),
        countListed(invitationList, viewer, { expiring: SOON_DAYS }),
      ]).then(([count, detail]) => ({ key: 'invitations', count, detail })),
    );
  }
  if (users) {
    stats.push(stat('locked', countListed(userList, viewer, { status: 'locked' })));
    stats.push(stat('ending', countListed(userList, viewer, { ending: SOON_DAYS })));
    stats.push(
      requireTwoFactor.then((required) =>
        required
          ? stat('twoFactor', countListed(userList, viewer, { status: 'active', two_factor: 'off' }))
          : null,
      ),
    );
  }
  // The email list shows rows only to those who manage users account-wide.
  if (mayOpen(mailList, viewer) && viewer.scopeOf(mailList.permission).all) {
    stats.push(stat('bounced', countListed(mailList, viewer, { state: 'bounced' })));
  }
  if (users) stats.push(stat('inactive', countListed(userList, viewer, { inactive: INACTIVE_DAYS })));
  return stats;
}

async function accessOf(viewer: ListViewer, userId: string): Promise<HomeAccess> {
  const access = await effectiveAccess(viewer.db, userId, viewer.now);
  const here = access.projects.find((p) => p.projectId === viewer.projectId);
  // Each role or set once, however many permissions it gives.
  const roles = new Map<string, HomeAccess['roles'][number]>();
  for (const permission of here?.permissions ?? []) {
    for (const source of permission.sources) {
      const key = `${source.label}|${source.accountWide}`;
      const known = roles.get(key);
      // A role bound twice (until different days) ends with its later binding.
      const later =
        known &&
        (known.expiresAt === null || (source.expiresAt !== null && known.expiresAt >= source.expiresAt));
      if (!later)
        roles.set(key, { name: source.label, accountWide: source.accountWide, expiresAt: source.expiresAt });
    }
  }
  return {
    projects: access.projects
      .filter((p) => p.permissions.length > 0)
      .map((p) => ({
        id: p.projectId,
        name: p.projectName,
        current: p.projectId === viewer.projectId,
        permissions: p.permissions.length,
      })),
    roles: [...roles.values()].sort((a, b) => a.name.localeCompare(b.name)),
    teams: access.teams,
  };
}

/** Everything the home page shows this viewer, read concurrently. */
export async function homeData(viewer: ListViewer & { userId: string }): Promise<HomeData> {
  const settings = getSettings(viewer.db);
  const projectName = viewer.db
    .selectFrom('projects')
    .select('name')
    .where('id', '=', viewer.projectId)
    .executeTakeFirst()
    .then((p) => p?.name ?? '');
  if (!isAdministrator(viewer)) {
    const [s, name, access] = await Promise.all([settings, projectName, accessOf(viewer, viewer.userId)]);
    return { accountName: s.account_name, projectName: name, attention: null, access };
  }
  const requireTwoFactor = settings.then((s) => s.require_two_factor);
  const audit = viewer.permissions.has('audit.view');
  const auditScope = viewer.scopeOf('audit.view');
  const [s, name, stats, activity, events] = await Promise.all([
    settings,
    projectName,
    Promise.all(attentionStats(viewer, requireTwoFactor)),
    // The chart counts every project's sign-ins: for those who may read account-wide events.
    audit && auditScope.all ? signInActivity(viewer.db, viewer.now, viewer.timeZone) : null,
    audit ? latestSecurityEvents(viewer.db, auditScope) : null,
  ]);
  return {
    accountName: s.account_name,
    projectName: name,
    attention: {
      stats: stats.filter((x): x is Stat => x !== null),
      requireTwoFactor: s.require_two_factor,
      activity,
      security: events ? { events, links: securityEventLinks() } : null,
    },
    access: null,
  };
}
