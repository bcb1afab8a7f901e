import { type SqlBool, sql } from 'kysely';
import type { PermissionScope } from '../access/grants';
import type { AuditAction } from '../audit/actions';
import { auditList } from '../audit/list';
import type { Db } from '../db/connect';
import type { AuditOutcome } from '../db/schema';
import { withinScope } from '../lists/filters';

/**
 * The latest security events an administrator should know of, for the home page: refused
 * sign-ins, and the changes that open or close a door (locks and unlocks, passwords reset, two-factor
 * authentication turned on, removed or reset, access and roles changed, settings changed, people
 * deactivated), in the viewer's audit scope, newest first as in the audit log. Successful
 * sign-ins are not among them: there are too many, and the chart counts them.
 */

/** Sign-in steps whose failures are shown: a wrong password or code, a refused single sign-on. */
export const FAILED_SIGN_IN_ACTIONS = [
  'auth.sign_in',
  'auth.sign_in_code',
  'sso.sign_in',
] as const satisfies readonly AuditAction[];

/** Changes shown whatever their outcome (a refused attempt at one is worth seeing too). */
export const SECURITY_CHANGE_ACTIONS = [
  'auth.lockout',
  'auth.account_unlock',
  'auth.recovery_code_used',
  'auth.password_reset',
  'sso.break_glass',
  'user.password_reset',
  'user.two_factor_enable',
  'user.two_factor_remove',
  'user.two_factor_reset',
  'user.unlock',
  'user.sign_out_everywhere',
  'user.deactivate',
  'user.reactivate',
  'binding.create',
  'binding.update',
  'binding.delete',
  'binding.set_project_role',
  'role.update',
  'role.delete',
  'account.settings_update',
  'account.reset_all_passwords',
] as const satisfies readonly AuditAction[];

export const SECURITY_EVENTS_SHOWN = 5;

export interface HomeSecurityEvent {
  id: number;
  occurredAt: Date;
  action: string;
  outcome: AuditOutcome;
  actorLabel: string;
  targetLabel: string | null;
}

/** The two views of the audit log the events come from, as its own links. */
export const securityEventLinks = () => ({
  failedSignIns: `${auditList.path}?${auditList.write(
    auditList.parse(
      new URLSearchParams([...FAILED_SIGN_IN_ACTIONS.map((a) => ['action', a]), ['outcome', 'failed']]),
    ),
  )}`,
  changes: `${auditList.path}?${auditList.write(
    auditList.parse(new URLSearchParams(SECURITY_CHANGE_ACTIONS.map((a) => ['action', a]))),
  )}`,
});

/** The newest events of both views together, in the audit log's order. */
export async function latestSecurityEvents(
  db: Db,
  scope: PermissionScope,
  limit = SECURITY_EVENTS_SHOWN,
): Promise<HomeSecurityEvent[]> {
  const events = withinScope(db.selectFrom('audit_events as e'), scope, 'e.project_id');
  const rows = await events
    .select(['e.id', 'e.occurred_at', 'e.action', 'e.outcome', 'e.actor_label', 'e.target_label'])
    .where(
      sql<SqlBool>`(e.action in (${sql.join([...SECURITY_CHANGE_ACTIONS])})
        or (e.action in (${sql.join([...FAILED_SIGN_IN_ACTIONS])}) and e.outcome = 'failed'))`,
    )
    .orderBy('e.occurred_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    occurredAt: r.occurred_at,
    action: r.action,
    outcome: r.outcome,
    actorLabel: r.actor_label,
    targetLabel: r.target_label,
  }));
}
