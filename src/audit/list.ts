import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { type PermissionScope, scopeOfActor } from '../access/grants';
import type { ActionContext, Actor } from '../core/context';
import type { Db } from '../db/connect';
import type { AuditOutcome } from '../db/schema';
import { cappedCount, plannerEstimate } from '../lists/count';
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
  type ListTotal,
  type PageWindow,
  type Paging,
  type PagingLink,
  pageWindow,
  parsePaging,
  textParam,
} from '../lists/paging';
import { type AuditAction, isAuditAction } from './actions';
import { perform } from './perform';

/**
 * The audit log: every event, newest first, with filters kept in the URL and the keyset paging,
 * capped count and streamed export the users list uses (list-paging.ts, list-count.ts).
 */

export const OUTCOMES = ['success', 'failed', 'denied'] as const satisfies readonly AuditOutcome[];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const uuid = z.uuid();

export interface AuditListQuery extends Paging {
  /** Free text in targets' names and emails. */
  q: string;
  /** Who acted: an email, or a label such as `cli`. */
  actor: string;
  actions: AuditAction[];
  /** The user acted on: an email or id. */
  user: string;
  /** Any target, as `type:id` (links from a user's or an invitation's page). */
  target: string;
  project: string;
  outcome: AuditOutcome | '';
  /** Days (YYYY-MM-DD) in the viewer's time zone, both included. */
  from: string;
  to: string;
}

/** A real calendar day from 1970 on (PostgreSQL refuses year 0, JavaScript rolls 02-30 over). */
function validDay(value: string): string {
  if (!DAY.test(value)) return '';
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1970 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? value : '';
}

/** Lenient, like the other lists: what a stale or hand-edited URL gets wrong is left out. */
export function parseAuditListQuery(params: URLSearchParams): AuditListQuery {
  const outcome = params.get('outcome') ?? '';
  const project = params.get('project') ?? '';
  return {
    q: textParam(params, 'q', 200),
    actor: textParam(params, 'actor', 254),
    actions: [...new Set(params.getAll('action'))].filter(isAuditAction),
    user: textParam(params, 'user', 254),
    target: textParam(params, 'target', 300),
    project: uuid.safeParse(project).success ? project : '',
    outcome: (OUTCOMES as readonly string[]).includes(outcome) ? (outcome as AuditOutcome) : '',
    from: validDay(textParam(params, 'from', 10)),
    to: validDay(textParam(params, 'to', 10)),
    ...parsePaging(params),
  };
}

export function auditListParams(q: AuditListQuery, paging: PagingLink = {}): URLSearchParams {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.actor) p.set('actor', q.actor);
  for (const a of q.actions) p.append('action', a);
  if (q.user) p.set('user', q.user);
  if (q.target) p.set('target', q.target);
  if (q.project) p.set('project', q.project);
  if (q.outcome) p.set('outcome', q.outcome);
  if (q.from) p.set('from', q.from);
  if (q.to) p.set('to', q.to);
  return appendPaging(p, q.per, paging);
}

/** Whose events a viewer may read: every event, or those of the projects where they hold audit.view. */
export type AuditScope = PermissionScope;

export const auditScope = (db: Db, actor: Actor, now: Date): Promise<AuditScope> =>
  scopeOfActor(db, actor, now, 'audit.view');

/** The filters as conditions; the text ones are resolved to ids first where they name a user. */
interface Resolved {
  actorId: string | null;
  targetUserId: string | null;
}

async function resolve(db: Db, q: AuditListQuery): Promise<Resolved> {
  const byEmail = async (email: string) =>
    email.includes('@')
      ? ((await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())?.id ??
        null)
      : null;
  return {
    actorId: q.actor ? await byEmail(q.actor) : null,
    targetUserId: q.user ? (uuid.safeParse(q.user).success ? q.user : await byEmail(q.user)) : null,
  };
}

function filtered(db: Db, q: AuditListQuery, scope: AuditScope, r: Resolved, timeZone: string) {
  let query = db.selectFrom('audit_events as e');
  if (!scope.all) {
    query =
      scope.projectIds.length > 0
        ? query.where('e.project_id', 'in', scope.projectIds)
        : query.where(sql<SqlBool>`false`);
  }
  if (q.actor) {
    const label = sql<SqlBool>`lower(e.actor_label) = lower(${q.actor})`;
    // A user's own events, and those naming their address without them (failed sign-ins).
    query = query.where((eb) =>
      r.actorId
        ? eb.or([eb('e.actor_id', '=', r.actorId), eb.and([eb('e.actor_id', 'is', null), label])])
        : label,
    );
  }
  if (q.actions.length > 0) query = query.where('e.action', 'in', q.actions);
  if (q.user) {
    query = query.where('e.target_type', '=', 'user');
    query = r.targetUserId
      ? query.where('e.target_id', '=', r.targetUserId)
      : query.where(sql<SqlBool>`lower(e.target_label) = lower(${q.user})`);
  }
  if (q.target) {
    const [type, ...id] = q.target.split(':');
    query = query.where('e.target_type', '=', type ?? '').where('e.target_id', '=', id.join(':'));
  }
  if (q.project) query = query.where('e.project_id', '=', q.project);
  if (q.outcome) query = query.where('e.outcome', '=', q.outcome);
  if (q.from)
    query = query.where(
      sql<SqlBool>`e.occurred_at >= (cast(${q.from} as timestamp) at time zone ${timeZone})`,
    );
  if (q.to) {
    query = query.where(
      sql<SqlBool>`e.occurred_at < ((cast(${q.to} as timestamp) + interval '1 day') at time zone ${timeZone})`,
    );
  }
  // Labels only: an id is found with `target` (an OR on target_id would defeat the trigram index).
  if (q.q) query = query.where(sql`lower(e.target_label)`, 'like', containsPattern(q.q));
  return query;
}

const AUDIT_COUNT_CAP = 1000;

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

export interface AuditPage extends PageWindow {
  events: ListedEvent[];
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

interface Fetch {
  q: AuditListQuery;
  scope: AuditScope;
  resolved: Resolved;
  timeZone: string;
  /** An export: only events up to this id (its snapshot), with their before and after values. */
  upTo?: number;
}

/**
 * Free text is a substring of target labels. Its trigram index answers fast for text with rare
 * trigrams but reads every label's entries for text whose trigrams all labels share (an email
 * domain), however few rows match. So a page of a text search first walks the newest TEXT_WALK
 * events that meet the other filters, in list order, stopping as soon as the page is full; only
 * text rarer than that falls back to the index. (The users list's walk/gather, performance.md.)
 */
const TEXT_WALK = 100_000;

function walkWindow(db: Db, f: Fetch, after: Cursor | null, before: Cursor | null, backwards: boolean) {
  let window = filtered(db, { ...f.q, q: '' }, f.scope, f.resolved, f.timeZone).select([
    'e.id',
    'e.occurred_at',
    'e.target_label',
  ]);
  if (f.upTo !== undefined) window = window.where('e.id', '<=', f.upTo);
  window = after ? window.where(afterCursor(after)) : before ? window.where(beforeCursor(before)) : window;
  return (
    backwards
      ? window.orderBy('e.occurred_at', 'asc').orderBy('e.id', 'asc')
      : window.orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc')
  ).limit(TEXT_WALK);
}

async function walkForText(
  db: Db,
  f: Fetch,
  after: Cursor | null,
  before: Cursor | null,
  backwards: boolean,
): Promise<number[] | null> {
  const rows = await db
    .selectFrom(walkWindow(db, f, after, before, backwards).as('w'))
    .select('w.id')
    .where(sql`lower(w.target_label)`, 'like', containsPattern(f.q.q))
    .orderBy('w.occurred_at', backwards ? 'asc' : 'desc')
    .orderBy('w.id', backwards ? 'asc' : 'desc')
    .limit(f.q.per + 1)
    .execute();
  if (rows.length > f.q.per) return rows.map((r) => r.id);
  // A short page is the whole answer when the walk saw every event the other filters allow.
  const walked = await windowSize(db, f, after, before, backwards);
  return walked < TEXT_WALK ? rows.map((r) => r.id) : null;
}

async function windowSize(db: Db, f: Fetch, after: Cursor | null, before: Cursor | null, backwards: boolean) {
  const walked = await db
    .selectFrom(walkWindow(db, f, after, before, backwards).as('w'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(walked.n);
}

/** The total of a text search: counted in the walk's window, else estimated (see TEXT_WALK). */
async function countText(db: Db, f: Fetch): Promise<ListTotal> {
  const inWindow = await cappedCount(
    db,
    db
      .selectFrom(walkWindow(db, f, null, null, false).as('w'))
      .select('w.id')
      .where(sql`lower(w.target_label)`, 'like', containsPattern(f.q.q)),
    filtered(db, f.q, f.scope, f.resolved, f.timeZone).select('e.id'),
    AUDIT_COUNT_CAP,
  );
  if (!inWindow.exact || (await windowSize(db, f, null, null, false)) < TEXT_WALK) return inWindow;
  // More events than the window: the matches beyond it are the planner's guess.
  const estimate = await plannerEstimate(
    db,
    filtered(db, f.q, f.scope, f.resolved, f.timeZone).select('e.id'),
  );
  return { value: Math.max(inWindow.value, estimate), exact: false };
}

const afterCursor = (c: Cursor) => sql<SqlBool>`(e.occurred_at, e.id) < (${cursorValue(c.at)}, ${c.id})`;
const beforeCursor = (c: Cursor) => sql<SqlBool>`(e.occurred_at, e.id) > (${cursorValue(c.at)}, ${c.id})`;

/** One page in walking order (per + 1 rows fetched, to know whether more follow). */
async function fetchEvents(db: Db, f: Fetch) {
  const { q } = f;
  const after = cursorOf(q.after);
  const before = after ? null : cursorOf(q.before);
  const backwards = before !== null || (q.last && !after);
  const found = q.q ? await walkForText(db, f, after, before, backwards) : null;
  // Found by the walk: those rows, the text condition met; otherwise the index of the text.
  let query = filtered(db, found ? { ...q, q: '' } : q, f.scope, f.resolved, f.timeZone)
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
  const exporting = f.upTo !== undefined;
  if (f.upTo !== undefined) query = query.where('e.id', '<=', f.upTo);
  // Walking order: newest first (occurred_at, id descending). The cursor's time is sent as text:
  // typed timestamptz, postgres.js would pass it through a Date and lose the microseconds.
  if (after) query = query.where(afterCursor(after));
  else if (before) query = query.where(beforeCursor(before));
  query = backwards
    ? query.orderBy('e.occurred_at', 'asc').orderBy('e.id', 'asc')
    : query.orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc');
  const rows = await query
    .$if(exporting, (qb) => qb.select(['e.before', 'e.after']))
    .limit(q.per + 1)
    .execute();
  const page = rows.slice(0, q.per);
  if (backwards) page.reverse();
  const cursor = (row: (typeof page)[number] | undefined) =>
    row ? encodeCursor([row.cursor_at, String(row.id)]) : null;
  return {
    events: page.map(
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
        ...(exporting ? { before: row.before ?? null, after: row.after ?? null } : {}),
      }),
    ),
    more: rows.length > q.per,
    backwards,
    first: cursor(page[0]),
    last: cursor(page.at(-1)),
  };
}

export async function listAuditEvents(
  db: Db,
  q: AuditListQuery,
  scope: AuditScope,
  timeZone: string,
): Promise<AuditPage> {
  const resolved = await resolve(db, q);
  // Exact up to a thousand: an audit trail's broad filters match far more, and an estimate of
  // those reads nothing (list-count.ts); measured by `npm run bench:audit`.
  const matching = filtered(db, q, scope, resolved, timeZone).select('e.id');
  const total = q.q
    ? await countText(db, { q, scope, resolved, timeZone })
    : await cappedCount(db, matching, matching, AUDIT_COUNT_CAP);
  const { events, ...fetched } = await fetchEvents(db, { q, scope, resolved, timeZone });
  return { events, ...pageWindow({ paging: q, total, shown: events.length, ...fetched }) };
}

/** One event, every field, with its project's name; null when missing or out of the viewer's scope. */
export async function findAuditEvent(db: Db, id: number, scope: AuditScope) {
  if (!Number.isSafeInteger(id) || id < 1) return null;
  const event = await db
    .selectFrom('audit_events as e')
    .leftJoin('projects as p', 'p.id', 'e.project_id')
    .selectAll('e')
    .select('p.name as project_name')
    .where('e.id', '=', id)
    .executeTakeFirst();
  if (!event) return null;
  if (!scope.all && !(event.project_id && scope.projectIds.includes(event.project_id))) return null;
  return event;
}
export type AuditEvent = NonNullable<Awaited<ReturnType<typeof findAuditEvent>>>;

const HEADER = [
  'id',
  'occurred_at',
  'actor',
  'actor_id',
  'action',
  'outcome',
  'target_type',
  'target_id',
  'target',
  'project',
  'project_id',
  'ip',
  'request_id',
  'reason',
  'before',
  'after',
];

function exportRecord(e: ListedEvent) {
  return {
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    actor: e.actorLabel,
    actor_id: e.actorId,
    action: e.action,
    outcome: e.outcome,
    target_type: e.targetType,
    target_id: e.targetId,
    target: e.targetLabel,
    project: e.projectName,
    project_id: e.projectId,
    ip: e.ip,
    request_id: e.requestId,
    reason: e.reason,
    before: e.before ?? null,
    after: e.after ?? null,
  };
}

/**
 * Every event the filters match, as CSV or JSON, as the log stood when the export was asked
 * for: the export is audited first (with its filter), and events after that one, its own
 * included, are not part of it. Times are UTC (ISO 8601).
 */
export async function exportAuditEvents(
  ctx: ActionContext,
  q: AuditListQuery,
  format: ExportFormat,
  timeZone: string,
): Promise<ReadableStream<Uint8Array>> {
  const filter = auditListParams({ ...q, ...FIRST_PAGE, per: 25 }).toString();
  const upTo = await perform(ctx, 'audit.export', async (tx) => {
    const newest = await tx
      .selectFrom('audit_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    return {
      result: Number(newest?.id ?? 0),
      target: { type: 'audit', id: filter || 'all', label: `${format.toUpperCase()} export` },
      after: { format, filter, timeZone },
    };
  });
  const scope = await auditScope(ctx.db, ctx.actor, ctx.clock.now());
  const resolved = await resolve(ctx.db, q);
  const pages = everyPage(async (after) => {
    const page = await fetchEvents(ctx.db, {
      q: { ...q, ...FIRST_PAGE, per: 100, after },
      scope,
      resolved,
      timeZone,
      upTo,
    });
    return { rows: page.events, more: page.more, last: page.last };
  });
  async function* lines(): AsyncGenerator<string[]> {
    for await (const batch of pages) {
      yield batch.map((e) => {
        const record = exportRecord(e);
        return format === 'csv'
          ? csvLine(
              Object.values(record).map((v) =>
                v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v),
              ),
            )
          : JSON.stringify(record);
      });
    }
  }
  return exportStream(format, HEADER, lines(), 'audit');
}

/** The projects a viewer may filter by: those whose events they can read. */
export async function auditProjects(db: Db, scope: AuditScope) {
  if (!scope.all && scope.projectIds.length === 0) return [];
  let query = db.selectFrom('projects').select(['id', 'name']).orderBy('name');
  if (!scope.all) query = query.where('id', 'in', scope.projectIds);
  return query.execute();
}

/** A `type:id` target in words: the label its newest event the viewer may read gave it. */
export async function targetName(db: Db, target: string, scope: AuditScope): Promise<string | null> {
  const [type, ...id] = target.split(':');
  if (!scope.all && scope.projectIds.length === 0) return null;
  const event = await db
    .selectFrom('audit_events')
    .select('target_label')
    .$if(!scope.all, (q) => q.where('project_id', 'in', scope.all ? [] : scope.projectIds))
    .where('target_type', '=', type ?? '')
    .where('target_id', '=', id.join(':'))
    .where('target_label', 'is not', null)
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return event?.target_label ?? null;
}
