import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { type PermissionScope, scopeOfActor } from '../access/grants';
import { perform } from '../audit/perform';
import type { ActionContext, Actor } from '../core/context';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import { csvLine, type ExportFormat, exportStream } from '../lists/export-stream';
import {
  appendPaging,
  containsPattern,
  cursorTime,
  cursorValue,
  decodeCursor,
  encodeCursor,
  everyPage,
  FIRST_PAGE,
  isRealInstant,
  type PageWindow,
  type Paging,
  type PagingLink,
  pageWindow,
  parsePaging,
  textParam,
} from '../lists/paging';
import { type InvitationState, invitationState } from './state';

/**
 * The Invitations tab: open and closed invitations (accepted ones are not listed: the user is),
 * presorted by state (pending, expired, declined, revoked) and then newest first. Same URL
 * state, keyset paging and export as the users list (list-paging.ts).
 */

export const LISTED_STATES = {
  pending: 'Pending',
  expired: 'Expired',
  declined: 'Declined',
  revoked: 'Revoked',
} as const satisfies Partial<Record<InvitationState, string>>;
export type ListedState = keyof typeof LISTED_STATES;

export interface InvitationListQuery extends Paging {
  q: string;
  invitedBy: string;
  states: ListedState[];
}

export function parseInvitationListQuery(params: URLSearchParams): InvitationListQuery {
  return {
    q: textParam(params, 'q', 200),
    invitedBy: textParam(params, 'invited_by', 254),
    states: params.getAll('state').filter((s): s is ListedState => Object.hasOwn(LISTED_STATES, s)),
    ...parsePaging(params),
  };
}

export function invitationListParams(q: InvitationListQuery, paging: PagingLink = {}): URLSearchParams {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.invitedBy) p.set('invited_by', q.invitedBy);
  for (const s of q.states) p.append('state', s);
  return appendPaging(p, q.per, paging);
}

/** 0 pending, 1 expired, 2 declined, 3 revoked: the list's first sort key. */
const rank = (now: Date) => sql<number>`(case
  when i.revoked_at is not null then 3
  when i.declined_at is not null then 2
  when i.expires_at <= ${now} then 1
  else 0 end)`;
const RANKS: Record<ListedState, number> = { pending: 0, expired: 1, declined: 2, revoked: 3 };

/** Invitations to the projects where the viewer holds invitations.manage, like the audit log's scope. */
export const invitationScope = (db: Db, actor: Actor, now: Date) =>
  scopeOfActor(db, actor, now, 'invitations.manage');

function filtered(db: Db, q: InvitationListQuery, scope: PermissionScope, now: Date) {
  let query = db
    .selectFrom('invitations as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .where('i.accepted_at', 'is', null);
  if (!scope.all) {
    query =
      scope.projectIds.length > 0
        ? query.where('i.project_id', 'in', scope.projectIds)
        : query.where(sql<SqlBool>`false`);
  }
  if (q.q) {
    const pattern = containsPattern(q.q);
    query = query.where((eb) =>
      eb.or([
        eb(sql`lower(i.email::text)`, 'like', pattern),
        eb(sql`lower(i.invited_by_label)`, 'like', pattern),
      ]),
    );
  }
  // Invited by: the inviter's email, exactly (any case), from the label "Name (email)".
  if (q.invitedBy)
    query = query.where(sql<SqlBool>`lower(i.invited_by_label) like ${containsPattern(`(${q.invitedBy})`)}`);
  if (q.states.length > 0) {
    query = query.where(
      rank(now),
      'in',
      q.states.map((s) => RANKS[s]),
    );
  }
  return query;
}

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

export interface InvitationPage extends PageWindow {
  invitations: ListedInvitation[];
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

/** One page in walking order (per + 1 rows fetched, to know whether more follow). */
async function fetchInvitations(db: Db, q: InvitationListQuery, scope: PermissionScope, now: Date) {
  const after = cursorOf(q.after);
  const before = after ? null : cursorOf(q.before);
  const backwards = before !== null || (q.last && !after);
  const r = rank(now);
  let query = filtered(db, q, scope, now)
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
    invitations: page.map(
      (row): ListedInvitation => ({
        id: row.id,
        email: row.email,
        invitedBy: row.invited_by_label,
        projectName: row.project_name,
        roleName: row.role_name,
        state: invitationState(row, now) as ListedState,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        language: row.language,
      }),
    ),
    more: rows.length > q.per,
    backwards,
    first: cursor(page[0]),
    last: cursor(page.at(-1)),
  };
}

export async function listInvitations(
  db: Db,
  q: InvitationListQuery,
  scope: PermissionScope,
  now: Date,
): Promise<InvitationPage> {
  // Invitations number in the thousands at most, so the count is exact.
  const counted = await filtered(db, q, scope, now)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const total = { value: Number(counted.n), exact: true };
  const { invitations, ...fetched } = await fetchInvitations(db, q, scope, now);
  return {
    invitations,
    ...pageWindow({ paging: q, total, shown: invitations.length, ...fetched }),
  };
}

/** Every matching invitation in list order, a page at a time, for the export (no count). */
export function allInvitations(
  db: Db,
  q: InvitationListQuery,
  scope: PermissionScope,
  now: Date,
): AsyncGenerator<ListedInvitation[]> {
  return everyPage(async (after) => {
    const page = await fetchInvitations(db, { ...q, ...FIRST_PAGE, per: 100, after }, scope, now);
    return { rows: page.invitations, more: page.more, last: page.last };
  });
}

const HEADER = ['id', 'email', 'invited_by', 'project', 'role', 'state', 'language', 'created', 'expires'];

function exportRecord(i: ListedInvitation) {
  return {
    id: i.id,
    email: i.email,
    invited_by: i.invitedBy,
    project: i.projectName,
    role: i.roleName,
    state: i.state,
    language: i.language,
    created: i.createdAt.toISOString(),
    expires: i.expiresAt.toISOString(),
  };
}

/** Every invitation the filters match, as CSV or JSON; the export is audited with the filter. */
export async function exportInvitations(
  ctx: ActionContext,
  q: InvitationListQuery,
  format: ExportFormat,
): Promise<ReadableStream<Uint8Array>> {
  const filter = invitationListParams({ ...q, ...FIRST_PAGE, per: 25 }).toString();
  await perform(ctx, 'invitations.export', async () => ({
    result: undefined,
    target: { type: 'invitations', id: filter || 'all', label: `${format.toUpperCase()} export` },
    after: { format, filter },
  }));
  const now = ctx.clock.now();
  const scope = await invitationScope(ctx.db, ctx.actor, now);
  async function* lines(): AsyncGenerator<string[]> {
    for await (const batch of allInvitations(ctx.db, q, scope, now)) {
      yield batch.map((i) => {
        const record = exportRecord(i);
        return format === 'csv' ? csvLine(Object.values(record)) : JSON.stringify(record);
      });
    }
  }
  return exportStream(format, HEADER, lines(), 'invitation');
}
