import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { perform } from '../audit/perform';
import type { Language } from '../db/schema';
import { exactCount } from '../lists/count';
import { defineList, fixedOrder, type ListCall, type ListQuery, type Walk } from '../lists/definition';
import { applyFilters, filterFor, withinScope } from '../lists/filters';
import {
  containsPattern,
  cursorTime,
  cursorValue,
  decodeCursor,
  encodeCursor,
  isRealInstant,
} from '../lists/paging';
import { integer, manyOf, text } from '../lists/params';
import { type InvitationState, invitationState } from './state';

/**
 * The Invitations tab: open and closed invitations (accepted ones are not listed: the user is),
 * presorted by state (pending, expired, declined, revoked) and then newest first, in the
 * projects where the viewer manages invitations, filtered by text, inviter, state and how soon
 * they expire. Invitations number in the thousands at most, so the count is exact and the export
 * reads the list's own pages.
 */

export const LISTED_STATES = {
  pending: 'Pending',
  expired: 'Expired',
  declined: 'Declined',
  revoked: 'Revoked',
} as const satisfies Partial<Record<InvitationState, string>>;
export type ListedState = keyof typeof LISTED_STATES;

/** 0 pending, 1 expired, 2 declined, 3 revoked: the list's first sort key. */
const rank = (now: Date) => sql<number>`(case
  when i.revoked_at is not null then 3
  when i.declined_at is not null then 2
  when i.expires_at <= ${now} then 1
  else 0 end)`;
const RANKS: Record<ListedState, number> = { pending: 0, expired: 1, declined: 2, revoked: 3 };

/**
 * The `expiring` filter (a number of days): pending invitations whose link stops working after now
 * and within that many days. `label` names the control, `text` a chosen value, `choices` the days
 * the filter form offers (any whole number from `min` to `max` is read from the URL).
 */
export const EXPIRING_WITHIN = {
  param: 'expiring',
  label: 'Expires within',
  text: (days: number) => `Expires within ${days} ${days === 1 ? 'day' : 'days'}`,
  choices: [1, 7, 14, 30],
  min: 1,
  max: 366,
} as const;
const DAY_MS = 86_400_000;

const filter = filterFor<{ now: Date }>();

const INVITATION_FILTERS = {
  q: filter({
    param: text('q', 200),
    bind: containsPattern,
    where: (pattern) =>
      sql<SqlBool>`(lower(i.email::text) like ${pattern} or lower(i.invited_by_label) like ${pattern})`,
  }),
  invitedBy: filter({
    param: text('invited_by', 254),
    // The inviter's email, exactly (any case), from the label "Name (email)".
    bind: (email) => containsPattern(`(${email})`),
    where: (pattern) => sql<SqlBool>`lower(i.invited_by_label) like ${pattern}`,
  }),
  states: filter({
    param: manyOf('state', LISTED_STATES),
    where: (states, { now }) => sql<SqlBool>`${rank(now)} in (${sql.join(states.map((s) => RANKS[s]))})`,
  }),
  expiringDays: filter({
    param: integer(EXPIRING_WITHIN.param, EXPIRING_WITHIN.min, EXPIRING_WITHIN.max),
    bind: (days, { now }) => new Date(now.getTime() + (days ?? 0) * DAY_MS),
    // Pending (neither revoked nor declined, not yet expired) and expiring by that instant.
    where: (until, { now }) =>
      sql<SqlBool>`(i.revoked_at is null and i.declined_at is null and i.expires_at > ${now} and i.expires_at <= ${until})`,
  }),
};
type InvitationFilters = typeof INVITATION_FILTERS;
export type InvitationListQuery = ListQuery<InvitationFilters, 'state'>;
type Call = ListCall<InvitationFilters>;

export interface ListedInvitation {
  id: string;
  email: string;
  invitedBy: string;
  projectName: string;
  roleName: string;
  state: ListedState;
  createdAt: Date;
  expiresAt: Date;
  language: Language;
}

function matching(call: Call, q: InvitationListQuery) {
  const invitations = call.db
    .selectFrom('invitations as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .where('i.accepted_at', 'is', null);
  return applyFilters(withinScope(invitations, call.scope, 'i.project_id'), call.filters, q, call);
}

const uuid = z.uuid();
// Microseconds (cursorTime); links from before kept milliseconds, which still parse.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(\d{3})?Z$/;

/** [rank, created_at (ISO, microseconds), id]: a cursor this list could have made, or null. */
function cursorOf(text: string | null): { rank: number; createdAt: string; id: string } | null {
  const parts = decodeCursor(text, 3);
  if (!parts) return null;
  const [r, created, id] = parts as [string, string, string];
  if (!/^[0-3]$/.test(r) || !ISO.test(created) || !isRealInstant(created) || !uuid.safeParse(id).success)
    return null;
  return { rank: Number(r), createdAt: created, id };
}

const COLUMNS = [
  'i.id',
  'i.email',
  'i.invited_by_label',
  'i.role_name',
  'i.created_at',
  'i.expires_at',
  'i.declined_at',
  'i.revoked_at',
  'i.accepted_at',
  'i.language',
  'p.name as project_name',
] as const;

async function invitationRows(call: Call, q: InvitationListQuery): Promise<Walk<ListedInvitation>> {
  const after = cursorOf(q.after);
  const before = after ? null : cursorOf(q.before);
  const backwards = before !== null || (q.last && !after);
  const r = rank(call.now);
  let query = matching(call, q)
    .select(COLUMNS)
    .select(r.as('rank'))
    .select(cursorTime(sql.ref('i.created_at')).as('cursor_at'));
  // Walking order: rank ascending, then newest first (created_at, id descending).
  if (after) {
    query = query.where(
      sql<SqlBool>`(${r} > ${after.rank} or (${r} = ${after.rank} and (i.created_at, i.id) < (${cursorValue(after.createdAt)}, ${after.id}::uuid)))`,
    );
  } else if (before) {
    query = query.where(
      sql<SqlBool>`(${r} < ${before.rank} or (${r} = ${before.rank} and (i.created_at, i.id) > (${cursorValue(before.createdAt)}, ${before.id}::uuid)))`,
    );
  }
  query = backwards
    ? query.orderBy(r, 'desc').orderBy('i.created_at', 'asc').orderBy('i.id', 'asc')
    : query.orderBy(r, 'asc').orderBy('i.created_at', 'desc').orderBy('i.id', 'desc');
  const rows = await query.limit(q.per + 1).execute();
  const page = rows.slice(0, q.per);
  if (backwards) page.reverse();
  const cursor = (row: (typeof page)[number] | undefined) =>
    row ? encodeCursor([String(row.rank), row.cursor_at, row.id]) : null;
  return {
    rows: page.map((row) => ({
      id: row.id,
      email: row.email,
      invitedBy: row.invited_by_label,
      projectName: row.project_name,
      roleName: row.role_name,
      state: invitationState(row, call.now) as ListedState,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      language: row.language,
    })),
    more: rows.length > q.per,
    backwards,
    first: cursor(page[0]),
    last: cursor(page.at(-1)),
  };
}

export const invitationList = defineList({
  name: 'invitations',
  noun: 'invitations',
  permission: 'invitations.manage',
  scope: 'granted',
  filters: INVITATION_FILTERS,
  sort: { keys: { state: fixedOrder('by state, then newest first') }, default: 'state' },
  columns: [
    { key: 'email', label: 'Email' },
    { key: 'invited_by', label: 'Invited by' },
    { key: 'project', label: 'Project' },
    { key: 'role', label: 'Role' },
    { key: 'state', label: 'State' },
    { key: 'expiry', label: 'Expiry' },
  ],
  count: (call, q) => exactCount(matching(call, q)),
  rows: invitationRows,
  export: {
    permission: 'invitations.manage',
    record: (ctx, event) => perform(ctx, 'invitations.export', async () => event),
    columns: {
      id: (i: ListedInvitation) => i.id,
      email: (i) => i.email,
      invited_by: (i) => i.invitedBy,
      project: (i) => i.projectName,
      role: (i) => i.roleName,
      state: (i) => i.state,
      language: (i) => i.language,
      created: (i) => i.createdAt.toISOString(),
      expires: (i) => i.expiresAt.toISOString(),
    },
  },
});
