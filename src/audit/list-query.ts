import { type SqlBool, sql } from 'kysely';
import type { AuditOutcome } from '../db/schema';
import { cappedCount, plannerEstimate } from '../lists/count';
import type { ListCall, RowsFor, Walk } from '../lists/definition';
import { applyFilters, withinScope } from '../lists/filters';
import {
  containsPattern,
  cursorTime,
  cursorValue,
  decodeCursor,
  encodeCursor,
  isRealInstant,
  type ListTotal,
} from '../lists/paging';
import type { AuditFilters, AuditListQuery, Resolved } from './list';

/** How the audit log finds and counts its rows, measured by `npm run bench:audit`. */

type AuditCall = ListCall<AuditFilters> & { resolved: Resolved };

/**
 * Exact up to a thousand: an audit trail's broad filters match far more, and an estimate of
 * those reads nothing; at a million events a capped count of 10,000 cost more than the page.
 */
const AUDIT_COUNT_CAP = 1000;

/**
 * Free text is a substring of target labels. Its trigram index answers fast for text with rare
 * trigrams but reads every label's entries for text whose trigrams all labels share (an email
 * domain; `audit-person-1234` took 620 ms through it, twice per page), however few rows match.
 * So a page of a text search first walks the newest TEXT_WALK events that meet the other
 * filters, in list order, stopping as soon as the page is full; only text rarer than that falls
 * back to the index (4 text searches a second under load before, 25 after). The users list makes
 * the same choice between walking and gathering (users/list-query.ts).
 */
const TEXT_WALK = 100_000;

function matching(call: AuditCall, q: AuditListQuery) {
  const events = withinScope(call.db.selectFrom('audit_events as e'), call.scope, 'e.project_id');
  return applyFilters(events, call.filters, q, call);
}

export interface ListedEvent {
  id: number;
  occurredAt: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  projectId: string | null;
  projectName: string | null;
  ip: string | null;
  requestId: string | null;
  reason: string | null;
  /** Only in exports. */
  before?: unknown;
  after?: unknown;
}

// Microseconds: events from before migration 0008 carry them, and a cursor rounded to the
// millisecond would skip or repeat rows that share one.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** [occurred_at (ISO, microseconds), id]: a cursor this list could have made, or null. */
type Cursor = { at: string; id: number };

function cursorOf(text: string | null): Cursor | null {
  const parts = decodeCursor(text, 2);
  if (!parts) return null;
  const [at, id] = parts as [string, string];
  if (!ISO.test(at) || !isRealInstant(at) || !/^\d{1,15}$/.test(id)) return null;
  return { at, id: Number(id) };
}

// Walking order: newest first (occurred_at, id descending). The cursor's time is sent as text:
// typed timestamptz, postgres.js would pass it through a Date and lose the microseconds.
const afterCursor = (c: Cursor) => sql<SqlBool>`(e.occurred_at, e.id) < (${cursorValue(c.at)}, ${c.id})`;
const beforeCursor = (c: Cursor) => sql<SqlBool>`(e.occurred_at, e.id) > (${cursorValue(c.at)}, ${c.id})`;

/** Where a page walks from and which way, and the export's snapshot (events up to that id). */
interface Walking {
  after: Cursor | null;
  before: Cursor | null;
  backwards: boolean;
  upTo?: number | undefined;
}

const START: Walking = { after: null, before: null, backwards: false };

function walkWindow(call: AuditCall, q: AuditListQuery, w: Walking) {
  let window = matching(call, { ...q, q: '' }).select(['e.id', 'e.occurred_at', 'e.target_label']);
  if (w.upTo !== undefined) window = window.where('e.id', '<=', w.upTo);
  if (w.after) window = window.where(afterCursor(w.after));
  else if (w.before) window = window.where(beforeCursor(w.before));
  return (
    w.backwards
      ? window.orderBy('e.occurred_at', 'asc').orderBy('e.id', 'asc')
      : window.orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc')
  ).limit(TEXT_WALK);
}

async function windowSize(call: AuditCall, q: AuditListQuery, w: Walking) {
  const walked = await call.db
    .selectFrom(walkWindow(call, q, w).as('w'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(walked.n);
}

/** The ids of a text search's page found by the walk, or null when the index must answer. */
async function walkForText(call: AuditCall, q: AuditListQuery, w: Walking): Promise<number[] | null> {
  const rows = await call.db
    .selectFrom(walkWindow(call, q, w).as('w'))
    .select('w.id')
    .where(sql`lower(w.target_label)`, 'like', containsPattern(q.q))
    .orderBy('w.occurred_at', w.backwards ? 'asc' : 'desc')
    .orderBy('w.id', w.backwards ? 'asc' : 'desc')
    .limit(q.per + 1)
    .execute();
  if (rows.length > q.per) return rows.map((r) => r.id);
  // A short page is the whole answer when the walk saw every event the other filters allow.
  return (await windowSize(call, q, w)) < TEXT_WALK ? rows.map((r) => r.id) : null;
}

/** The total: capped; for a text search counted in the walk's window, else estimated. */
export async function countAuditEvents(call: AuditCall, q: AuditListQuery): Promise<ListTotal> {
  const all = matching(call, q).select('e.id');
  if (!q.q) return cappedCount(call.db, all, all, AUDIT_COUNT_CAP);
  const inWindow = await cappedCount(
    call.db,
    call.db
      .selectFrom(walkWindow(call, q, START).as('w'))
      .select('w.id')
      .where(sql`lower(w.target_label)`, 'like', containsPattern(q.q)),
    all,
    AUDIT_COUNT_CAP,
  );
  if (!inWindow.exact || (await windowSize(call, q, START)) < TEXT_WALK) return inWindow;
  // More events than the window: the matches beyond it are the planner's guess.
  return { value: Math.max(inWindow.value, await plannerEstimate(call.db, all)), exact: false };
}

/** One page in walking order (per + 1 rows fetched, to know whether more follow). */
export async function auditRows(
  call: AuditCall,
  q: AuditListQuery,
  fetch: RowsFor<number>,
): Promise<Walk<ListedEvent>> {
  const after = cursorOf(q.after);
  const before = after ? null : cursorOf(q.before);
  const upTo = 'snapshot' in fetch ? fetch.snapshot : undefined;
  const w: Walking = { after, before, backwards: before !== null || (q.last && !after), upTo };
  const found = q.q ? await walkForText(call, q, w) : null;
  // Found by the walk: those rows, the text condition met; otherwise the index of the text.
  let query = matching(call, found ? { ...q, q: '' } : q)
    .$if(found !== null, (qb) => qb.where('e.id', 'in', found?.length ? found : [0]))
    .leftJoin('projects as p', 'p.id', 'e.project_id')
    .select([
      'e.id',
      'e.occurred_at',
      'e.actor_id',
      'e.actor_label',
      'e.action',
      'e.outcome',
      'e.target_type',
      'e.target_id',
      'e.target_label',
      'e.project_id',
      'e.ip',
      'e.request_id',
      'e.reason',
      'p.name as project_name',
    ])
    .select(cursorTime(sql.ref('e.occurred_at')).as('cursor_at'));
  if (upTo !== undefined) query = query.where('e.id', '<=', upTo);
  if (after) query = query.where(afterCursor(after));
  else if (before) query = query.where(beforeCursor(before));
  query = w.backwards
    ? query.orderBy('e.occurred_at', 'asc').orderBy('e.id', 'asc')
    : query.orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc');
  const rows = await query
    .$if(upTo !== undefined, (qb) => qb.select(['e.before', 'e.after']))
    .limit(q.per + 1)
    .execute();
  const page = rows.slice(0, q.per);
  if (w.backwards) page.reverse();
  const cursor = (row: (typeof page)[number] | undefined) =>
    row ? encodeCursor([row.cursor_at, String(row.id)]) : null;
  return {
    rows: page.map(
      (row): ListedEvent => ({
        id: row.id,
        occurredAt: row.occurred_at,
        actorId: row.actor_id,
        actorLabel: row.actor_label,
        action: row.action,
        outcome: row.outcome,
        targetType: row.target_type,
        targetId: row.target_id,
        targetLabel: row.target_label,
        projectId: row.project_id,
        projectName: row.project_name,
        ip: row.ip,
        requestId: row.request_id,
        reason: row.reason,
        ...(upTo !== undefined ? { before: row.before ?? null, after: row.after ?? null } : {}),
      }),
    ),
    more: rows.length > q.per,
    backwards: w.backwards,
    first: cursor(page[0]),
    last: cursor(page.at(-1)),
  };
}
