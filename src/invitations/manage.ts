import { z } from 'zod';
import { scopeOfActor, scopeReaches } from '../access/grants';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { isUniqueViolation } from '../core/validation';
import type { Db } from '../db/connect';
import { assertWithinDailyLimit } from './daily-limit';
import { newToken, queueInvitationMail } from './invitation-mail';
import type { InviteOutcome } from './invite';
import { assertMayInvite, grantableRole, isMember, roleAndProject } from './invite-rules';
import { invitationState } from './state';

/** An admin's changes to an open invitation: resend, revoke, or another project or role. */

/** The invitation, locked, with the checks every admin change shares. */
async function openForChange(tx: Db, ctx: ActionContext, id: string, verb: string) {
  const row = z.uuid().safeParse(id).success
    ? await tx.selectFrom('invitations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  // Out of the actor's projects, an invitation is as unknown as on its page.
  const scope = await scopeOfActor(tx, ctx.actor, ctx.clock.now(), 'invitations.manage');
  if (!row || !scopeReaches(scope, row.project_id)) throw new NotFoundError('No such invitation.');
  const state = invitationState(row, ctx.clock.now());
  if (state !== 'pending' && state !== 'expired') {
    throw new ConflictError(`This invitation was ${state}, so it cannot be ${verb}.`);
  }
  return row;
}

/** A new link and a new expiry; the old link stops working at once. */
export async function resendInvitation(ctx: ActionContext, id: string): Promise<InviteOutcome> {
  const now = ctx.clock.now();
  const done = await perform(ctx, 'invitation.resend', async (tx) => {
    const row = await openForChange(tx, ctx, id, 'resent');
    await grantableRole(tx, ctx, row.role_id, row.project_id);
    await assertWithinDailyLimit(tx, ctx, 1);
    const settings = await getSettings(tx);
    const project = await tx
      .selectFrom('projects')
      .select('name')
      .where('id', '=', row.project_id)
      .executeTakeFirstOrThrow();
    const { token, hash, expiresAt } = newToken(now, settings.invitation_lifetime_hours);
    await tx
      .updateTable('invitations')
      .set({ token_hash: hash, expires_at: expiresAt, sent_at: now, signup: null })
      .where('id', '=', row.id)
      .execute();
    const { manualLink } = await queueInvitationMail(tx, ctx, {
      id: row.id,
      email: row.email,
      language: row.language,
      hideInviter: row.hide_inviter,
      message: row.message,
      projectName: project.name,
      roleName: row.role_name,
      inviterLabel: row.invited_by_label,
      token,
      expiresAt,
      accountName: settings.account_name,
      allowManualLinks: settings.allow_manual_links,
    });
    return {
      result: { id: row.id, email: row.email, manualLink },
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      before: { expiresAt: row.expires_at.toISOString() },
      after: { expiresAt: expiresAt.toISOString(), manualLinkShown: settings.allow_manual_links },
    };
  });
  return {
    email: done.email,
    outcome: 'sent',
    invitationId: done.id,
    manualLink: done.manualLink,
    note: `The invitation was sent to ${done.email} again; the earlier link no longer works.`,
  };
}

/** The link stops working at once; the invitation stays in the list as Revoked. */
export async function revokeInvitation(ctx: ActionContext, id: string): Promise<{ email: string }> {
  return perform(ctx, 'invitation.revoke', async (tx) => {
    const row = await openForChange(tx, ctx, id, 'revoked');
    await assertMayInvite(tx, ctx, row.project_id);
    await tx
      .updateTable('invitations')
      .set({ revoked_at: ctx.clock.now(), signup: null })
      .where('id', '=', row.id)
      .execute();
    return {
      result: { email: row.email },
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      before: { state: invitationState(row, ctx.clock.now()) },
      after: { state: 'revoked' },
    };
  });
}

/** While it is open: another project or role. The link and expiry stay. */
export async function editInvitation(
  ctx: ActionContext,
  id: string,
  input: { projectId?: unknown; roleId?: unknown },
): Promise<void> {
  const projectId = typeof input.projectId === 'string' ? input.projectId : '';
  const roleId = typeof input.roleId === 'string' ? input.roleId : '';
  const errors: Record<string, string> = {};
  if (!z.uuid().safeParse(projectId).success) errors.projectId = 'Choose a project.';
  if (!z.uuid().safeParse(roleId).success) errors.roleId = 'Choose a role.';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  try {
    await perform(ctx, 'invitation.edit', async (tx) => {
      const row = await openForChange(tx, ctx, id, 'edited');
      await assertMayInvite(tx, ctx, row.project_id);
      const { role, project } = await roleAndProject(tx, roleId, projectId);
      await assertMayInvite(tx, ctx, project.id, role);
      if (project.id !== row.project_id && (await isMember(tx, row.email, project.id, ctx.clock.now())))
        throw new ValidationError({ projectId: `${row.email} is already a member of ${project.name}.` });
      const before = await tx
        .selectFrom('projects')
        .select('name')
        .where('id', '=', row.project_id)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('invitations')
        .set({ project_id: project.id, role_id: role.id, role_name: role.name })
        .where('id', '=', row.id)
        .execute();
      return {
        result: undefined,
        target: { type: 'invitation', id: row.id, label: row.email },
        projectId: project.id,
        before: { project: before.name, role: row.role_name },
        after: { project: project.name, role: role.name },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError({ projectId: 'This person already has an open invitation to that project.' });
    throw error;
  }
}
