import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { PermissionScope } from '../access/grants';
import type { Db } from '../db/connect';
import type { AuditOutcome } from '../db/schema';
import { chronological, defineList, type ListCall, type ListQuery, listPage } from '../lists/definition';
import { filterFor } from '../lists/filters';
import { containsPattern } from '../lists/paging';
import { manyOf, oneOf, text, uuid } from '../lists/params';
import { isAuditAction } from './actions';
import { auditRows, countAuditEvents, type ListedEvent } from './list-query';
import { perform } from './perform';

/**
 * The audit log: every event, newest first, in the projects where the viewer holds audit.view,
 * filtered by text in targets, actor, actions, user acted on, target, project, outcome and days.
 * Counting and free text are tuned for a million events (list-query.ts).
 */

export type { ListedEvent };

export const OUTCOMES = ['success', 'failed', 'denied'] as const satisfies readonly AuditOutcome[];

/** The addresses the actor and user filters name, as user ids: looked up once per request. */
export interface Resolved {
  actorId: string | null;
  targetUserId: string | null;
}

const filter = filterFor<{ timeZone: string; resolved: Resolved }>();

/** A real calendar day from 1970 on (PostgreSQL refuses year 0, JavaScript rolls 02-30 over). */
function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1970 && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

const AUDIT_FILTERS = {
  q: filter({
    param: text('q', 200),
    bind: containsPattern,
    // Labels only: an id is found with `target` (an OR on target_id would defeat the trigram index).
    where: (pattern) => sql<SqlBool>`lower(e.target_label) like ${pattern}`,
  }),
  actor: filter({
    // An email, or a label such as `cli`.
    param: text('actor', 254),
    where: (actor, { resolved }) => {
      const label = sql<SqlBool>`lower(e.actor_label) = lower(${actor})`;
      // A user's own events, and those naming their address without them (failed sign-ins).
      return resolved.actorId
        ? sql<SqlBool>`(e.actor_id = ${resolved.actorId} or (e.actor_id is null and ${label}))`
        : label;
    },
  }),
  actions: filter({
    param: manyOf('action', isAuditAction, { unique: true }),
    where: (actions) => sql<SqlBool>`e.action in (${sql.join(actions)})`,
  }),
  user: filter({
    // The user acted on: an email or an id.
    param: text('user', 254),
    where: (user, { resolved }) =>
      resolved.targetUserId
        ? sql<SqlBool>`e.target_type = ${'user'} and e.target_id = ${resolved.targetUserId}`
        : sql<SqlBool>`e.target_type = ${'user'} and lower(e.target_label) = lower(${user})`,
  }),
  target: filter({
    // Any target, as `type:id` (the links from a user's or an invitation's page).
    param: text('target', 300),
    where: (target) => {
      const [type, ...id] = target.split(':');
      return sql<SqlBool>`e.target_type = ${type ?? ''} and e.target_id = ${id.join(':')}`;
    },
  }),
  project: filter({ param: uuid('project'), where: (project) => sql<SqlBool>`e.project_id = ${project}` }),
  outcome: filter({
    param: oneOf('outcome', OUTCOMES),
    where: (outcome) => sql<SqlBool>`e.outcome = ${outcome}`,
  }),
  // Days (YYYY-MM-DD) in the viewer's time zone, both included.
  from: filter({
    param: text('from', 10, isDay),
    where: (day, { timeZone }) =>
      sql<SqlBool>`e.occurred_at >= (cast(${day} as timestamp) at time zone ${timeZone})`,
  }),
  to: filter({
    param: text('to', 10, isDay),
    where: (day, { timeZone }) =>
      sql<SqlBool>`e.occurred_at < ((cast(${day} as timestamp) + interval '1 day') at time zone ${timeZone})`,
  }),
};
export type AuditFilters = typeof AUDIT_FILTERS;
export type AuditListQuery = ListQuery<AuditFilters, 'time'>;

const UUID = z.uuid();

async function resolve(call: ListCall<AuditFilters>, q: AuditListQuery): Promise<{ resolved: Resolved }> {
  const byEmail = async (email: string) =>
    email.includes('@')
      ? ((await call.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())?.id ??
        null)
      : null;
  return {
    resolved: {
      actorId: q.actor ? await byEmail(q.actor) : null,
      targetUserId: q.user ? (UUID.safeParse(q.user).success ? q.user : await byEmail(q.user)) : null,
    },
  };
}

export const auditList = defineList({
  name: 'audit',
  noun: 'events',
  permission: 'audit.view',
  scope: 'granted',
  filters: AUDIT_FILTERS,
  sort: { keys: { time: chronological('time') }, default: 'time', dir: 'desc' },
  columns: [
    { key: 'time', label: 'Time' },
    { key: 'actor', label: 'Actor' },
    { key: 'action', label: 'Action' },
    { key: 'outcome', label: 'Outcome' },
    { key: 'target', label: 'Target' },
    { key: 'project', label: 'Project' },
    { key: 'ip', label: 'IP address' },
  ],
  prepare: resolve,
  count: countAuditEvents,
  rows: auditRows,
  export: {
    permission: 'audit.view',
    // The log as it stood when the export was asked for: its own event, and later ones, are not
    // in it. The filter's days are the viewer's, so the event records the time zone too.
    record: (ctx, event, call) =>
      perform(ctx, 'audit.export', async (tx) => {
        const newest = await tx
          .selectFrom('audit_events')
          .select((eb) => eb.fn.max('id').as('id'))
          .executeTakeFirst();
        return {
          ...event,
          result: Number(newest?.id ?? 0),
          after: { ...event.after, timeZone: call.timeZone },
        };
      }),
    // Times in UTC (ISO 8601); before and after as JSON.
    columns: {
      id: (e: ListedEvent) => e.id,
      occurred_at: (e) => e.occurredAt.toISOString(),
      actor: (e) => e.actorLabel,
      actor_id: (e) => e.actorId,
      action: (e) => e.action,
      outcome: (e) => e.outcome,
      target_type: (e) => e.targetType,
      target_id: (e) => e.targetId,
      target: (e) => e.targetLabel,
      project: (e) => e.projectName,
      project_id: (e) => e.projectId,
      ip: (e) => e.ip,
      request_id: (e) => e.requestId,
      reason: (e) => e.reason,
      before: (e) => e.before ?? null,
      after: (e) => e.after ?? null,
    },
  },
});

export const parseAuditListQuery = (params: URLSearchParams) => auditList.parse(params);
export const auditListParams = (q: AuditListQuery) => auditList.write(q);

/** One page of the log outside a request (tests, scripts), its rows as `events`. */
export async function listAuditEvents(db: Db, q: AuditListQuery, scope: PermissionScope, timeZone: string) {
  const call = { db, now: new Date(), timeZone, projectId: '', scope, filters: AUDIT_FILTERS };
  const { rows, ...window } = await listPage(auditList, call, q);
  return { ...window, events: rows };
}
