import type { PermissionScope } from '../access/grants';
import type { Db } from '../db/connect';

/** The audit log's other reads: one event, and what its page's filters offer. */

/** One event, every field, with its project's name; null when missing or out of the viewer's scope. */
export async function findAuditEvent(db: Db, id: number, scope: PermissionScope) {
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

/** The projects a viewer may filter by: those whose events they can read. */
export async function auditProjects(db: Db, scope: PermissionScope) {
  if (!scope.all && scope.projectIds.length === 0) return [];
  let query = db.selectFrom('projects').select(['id', 'name']).orderBy('name');
  if (!scope.all) query = query.where('id', 'in', scope.projectIds);
  return query.execute();
}

/** A `type:id` target in words: the label its newest event the viewer may read gave it. */
export async function targetName(db: Db, target: string, scope: PermissionScope): Promise<string | null> {
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
