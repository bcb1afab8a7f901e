import { grantsOf, projectIds, rolePermissions } from '../access/grants';
import { grantRefusal } from '../access/rules';
import { auditActor, writeAudit } from '../audit/write';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import { openInvitations } from './state';

/**
 * An invitation grants its role when it is accepted, so it is only as good as its inviter's
 * right to grant that role at that moment: the inviter must still be active and pass the same
 * no-escalation rule as when inviting (invitations.manage and every permission of the role in
 * the project, for good). Checked at acceptance (and whenever the link is used), and swept after
 * every change that can take rights away, which revokes what no longer holds, one event each.
 */

/** The label of invitations made by the command line (no inviter to lose rights). */
export const SYSTEM_INVITER_LABEL = 'Gatehouse';

interface InvitationRow {
  id: string;
  email: string;
  project_id: string;
  role_id: string | null;
  invited_by: string | null;
  invited_by_label: string;
}

/** Why the inviter can no longer grant this invitation, or null when they still can. */
export async function inviterRefusal(db: Db, row: InvitationRow, now: Date): Promise<string | null> {
  if (row.invited_by === null)
    // Made by the command line, or an inviter deleted before invitations were revoked with them.
    return row.invited_by_label === SYSTEM_INVITER_LABEL ? null : 'the inviter was deleted';
  const check = await inviterCheck(db, row.invited_by, now);
  return check([row]).get(row.id) ?? null;
}

/**
 * A checker for one inviter's invitations: reads the inviter, their grants and the roles once.
 * Maps each invitation it refuses to the reason.
 */
async function inviterCheck(db: Db, inviterId: string, now: Date) {
  const [inviter, grants, projects] = await Promise.all([
    db
      .selectFrom('users')
      .select(['deactivated_at', 'access_expires_at'])
      .where('id', '=', inviterId)
      .executeTakeFirst(),
    grantsOf(db, inviterId, now),
    projectIds(db),
  ]);
  const inactive = !inviter
    ? 'the inviter was deleted'
    : inviter.deactivated_at
      ? 'the inviter was deactivated'
      : inviter.access_expires_at && inviter.access_expires_at <= now
        ? "the inviter's access expired"
        : null;
  const roles = new Map(
    (await db.selectFrom('roles').select(['id', 'key', 'permissions']).execute()).map((r) => [r.id, r]),
  );
  return (rows: readonly InvitationRow[]) => {
    const refused = new Map<string, string>();
    for (const row of rows) {
      if (inactive) {
        refused.set(row.id, inactive);
        continue;
      }
      // A deleted role is refused at acceptance on its own, with its own message.
      const role = row.role_id ? roles.get(row.role_id) : undefined;
      if (!role) continue;
      const refusal = grantRefusal(grants, projects, {
        permissions: rolePermissions(role),
        projectId: row.project_id,
        permission: 'invitations.manage',
        expiresAt: null,
      });
      if (refusal) refused.set(row.id, `the inviter can no longer grant this role: ${refusal.message}`);
    }
    return refused;
  };
}

function openInvitationRows(db: Db) {
  return openInvitations(db).select([
    'id',
    'email',
    'project_id',
    'role_id',
    'invited_by',
    'invited_by_label',
  ]);
}

async function revoke(tx: Db, ctx: ActionContext, row: InvitationRow, reason: string) {
  await tx
    .updateTable('invitations')
    .set({ revoked_at: ctx.clock.now(), signup: null })
    .where('id', '=', row.id)
    .execute();
  await writeAudit(tx, ctx, {
    action: 'invitation.revoke',
    outcome: 'success',
    actor: auditActor(ctx.actor),
    target: { type: 'invitation', id: row.id, label: row.email },
    projectId: row.project_id,
    before: { state: 'open' },
    after: { state: 'revoked' },
    reason,
  });
}

/**
 * Revokes every open invitation whose inviter can no longer grant it. Runs inside the
 * transaction of a change that may take rights away (`narrowsAccess` in the action table), after it.
 */
export async function revokeUngrantableInvitations(tx: Db, ctx: ActionContext): Promise<number> {
  const rows = await openInvitationRows(tx).where('invited_by', 'is not', null).forUpdate().execute();
  const byInviter = new Map<string, InvitationRow[]>();
  for (const row of rows) {
    const list = byInviter.get(row.invited_by as string) ?? [];
    list.push(row);
    byInviter.set(row.invited_by as string, list);
  }
  let revoked = 0;
  for (const [inviterId, list] of byInviter) {
    const refused = (await inviterCheck(tx, inviterId, ctx.clock.now()))(list);
    for (const row of list) {
      const reason = refused.get(row.id);
      if (!reason) continue;
      await revoke(tx, ctx, row, reason);
      revoked++;
    }
  }
  return revoked;
}

/** Before a user is deleted (the invitations would lose their inviter): their open invitations go. */
export async function revokeInvitationsBy(tx: Db, ctx: ActionContext, inviterId: string): Promise<number> {
  const rows = await openInvitationRows(tx).where('invited_by', '=', inviterId).forUpdate().execute();
  for (const row of rows) await revoke(tx, ctx, row, 'the inviter was deleted');
  return rows.length;
}
