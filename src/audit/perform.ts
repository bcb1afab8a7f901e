import { actorGrantsOf, permissionsEverywhere, permissionsIn, projectIds } from '../access/grants';
import { lockAccount, RuleError } from '../access/rules';
import { assertRecentAuth } from '../auth/sessions/recent-auth';
import { notifyChange } from '../core/changes';
import type { ActionContext } from '../core/context';
import { ForbiddenError } from '../core/errors';
import type { Db } from '../db/connect';
import type { AuditOutcome } from '../db/schema';
import { revokeUngrantableInvitations } from '../invitations/validity';
import { actionInfo, type PerformedAction } from './actions';
import { type AuditActor, type AuditTarget, auditActor, writeAudit } from './write';

/** What an action's body reports back for the audit event. */
export interface ActionOutcome<T> {
  result: T;
  outcome?: AuditOutcome;
  /** The event's actor when it is not the caller (a sign-in is done by the user signing in). */
  actor?: AuditActor;
  target?: AuditTarget | null;
  projectId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

/**
 * The one path for every state change: in one transaction, check the actor's permission (read
 * afresh from the database), run the change, and append the audit event. A denied attempt is
 * itself recorded, then refused with ForbiddenError; any other error rolls everything back.
 */
export async function perform<T>(
  ctx: ActionContext,
  action: PerformedAction,
  body: (tx: Db) => Promise<ActionOutcome<T>>,
): Promise<T> {
  const spec = actionInfo(action);
  const ownProject = ctx.actor.kind === 'user' ? ctx.actor.projectId : null;
  try {
    const result = await ctx.db.transaction().execute(async (tx) => {
      if (spec.serialize) await lockAccount(tx);
      if (spec.permission && !(await holds(tx, ctx, spec.permission, spec.scope ?? 'project'))) {
        throw new ForbiddenError(spec.permission);
      }
      if (spec.recentAuth) await assertRecentAuth(tx, ctx);
      const outcome = await body(tx);
      if (spec.narrowsAccess) await revokeUngrantableInvitations(tx, ctx);
      await ctx.alsoInTransaction?.(tx);
      await writeAudit(tx, ctx, {
        action,
        outcome: outcome.outcome ?? 'success',
        actor: outcome.actor ?? auditActor(ctx.actor),
        target: outcome.target,
        projectId: 'projectId' in outcome ? (outcome.projectId ?? null) : ownProject,
        before: outcome.before,
        after: outcome.after,
        reason: outcome.reason,
      });
      return outcome.result;
    });
    if (!spec.keepsCounts) notifyChange();
    return result;
  } catch (error) {
    // A refusal rolled everything back; the attempt itself is still recorded.
    if (error instanceof ForbiddenError || error instanceof RuleError) {
      await writeAudit(ctx.db, ctx, {
        action,
        outcome: 'denied',
        actor: auditActor(ctx.actor),
        projectId: ownProject,
        reason:
          error instanceof ForbiddenError
            ? `missing permission ${error.permission}`
            : `${error.rule}: ${error.message}`,
      });
    }
    throw error;
  }
}

/** In the actor's current project, or (for account-level objects) in every project. */
async function holds(
  tx: Db,
  ctx: ActionContext,
  permission: string,
  scope: 'project' | 'account',
): Promise<boolean> {
  const { actor } = ctx;
  if (actor.kind === 'system') return true;
  if (actor.kind === 'anonymous') return false;
  const grants = await actorGrantsOf(tx, actor, ctx.clock.now());
  const held =
    scope === 'account'
      ? permissionsEverywhere(grants, await projectIds(tx))
      : permissionsIn(grants, actor.projectId);
  return held.has(permission);
}
