import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import { isUniqueViolation } from '../core/validation';
import type { Db } from '../db/connect';
import { assertBatchWithinDailyLimit, assertWithinDailyLimit } from './daily-limit';
import { newToken, queueInvitationMail } from './invitation-mail';
import { type CheckedInvite, checkInput, type InviteInput } from './invite-input';
import { assertMayInvite, isMember, roleAndProject } from './invite-rules';
import { openInvitations } from './state';
import { SYSTEM_INVITER_LABEL } from './validity';

export interface InviteOutcome {
  email: string;
  /** queued for sending; refused as a member; already invited. */
  outcome: 'sent' | 'member' | 'pending';
  invitationId: string | null;
  /** The link, when the account lets admins pass it on themselves. */
  manualLink: string | null;
  note: string;
}

class AlreadyMember extends ConflictError {}
class AlreadyInvited extends ConflictError {
  constructor(readonly invitationId: string) {
    super('already invited');
  }
}

async function openInvitationId(tx: Db, email: string, projectId: string): Promise<string | null> {
  const row = await openInvitations(tx)
    .select('id')
    .where('email', '=', email)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row?.id ?? null;
}

async function inviteOne(
  ctx: ActionContext,
  data: CheckedInvite,
  email: string,
): Promise<{ id: string; manualLink: string | null }> {
  const now = ctx.clock.now();
  const inviterLabel =
    ctx.actor.kind === 'user' ? `${ctx.actor.name} (${ctx.actor.email})` : SYSTEM_INVITER_LABEL;
  return perform(ctx, 'invitation.create', async (tx) => {
    await assertWithinDailyLimit(tx, ctx, 1);
    const { role, project } = await roleAndProject(tx, data.roleId, data.projectId);
    await assertMayInvite(tx, ctx, project.id, role);
    if (await isMember(tx, email, project.id, now)) throw new AlreadyMember(email);
    const open = await openInvitationId(tx, email, project.id);
    if (open) throw new AlreadyInvited(open);
    const settings = await getSettings(tx);
    const { token, hash, expiresAt } = newToken(now, settings.invitation_lifetime_hours);
    const row = await tx
      .insertInto('invitations')
      .values({
        email,
        project_id: project.id,
        role_id: role.id,
        role_name: role.name,
        invited_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
        invited_by_label: inviterLabel,
        hide_inviter: data.hideInviter,
        language: data.language,
        message: data.message,
        token_hash: hash,
        created_at: now,
        sent_at: now,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { manualLink } = await queueInvitationMail(tx, ctx, {
      id: row.id,
      email,
      language: data.language,
      hideInviter: data.hideInviter,
      message: data.message,
      projectName: project.name,
      roleName: role.name,
      inviterLabel,
      token,
      expiresAt,
      accountName: settings.account_name,
      allowManualLinks: settings.allow_manual_links,
    });
    return {
      result: { id: row.id, manualLink },
      target: { type: 'invitation', id: row.id, label: email },
      projectId: project.id,
      after: {
        email,
        project: project.name,
        role: role.name,
        language: data.language,
        hideInviter: data.hideInviter,
        message: data.message !== '',
        expiresAt: expiresAt.toISOString(),
        manualLinkShown: settings.allow_manual_links,
      },
    };
  });
}

/**
 * Invites each address to the project with the role, each in its own transaction and audit
 * event, and mails each invitation. Bad input (any malformed address, a limit that the whole
 * list would pass) changes nothing; a member or an address already invited is reported, not sent.
 */
export async function inviteUsers(ctx: ActionContext, input: InviteInput): Promise<InviteOutcome[]> {
  const data = checkInput(input);
  await assertBatchWithinDailyLimit(ctx, data.emails.length);
  const outcomes: InviteOutcome[] = [];
  for (const email of data.emails) {
    let created: { id: string; manualLink: string | null };
    try {
      created = await inviteOne(ctx, data, email);
    } catch (error) {
      if (error instanceof AlreadyMember) {
        outcomes.push({
          email,
          outcome: 'member',
          invitationId: null,
          manualLink: null,
          note: `${email} is already a member of this project; nothing was sent.`,
        });
        continue;
      }
      const existing =
        error instanceof AlreadyInvited
          ? error.invitationId
          : isUniqueViolation(error)
            ? await openInvitationId(ctx.db, email, data.projectId)
            : null;
      if (!existing) throw error;
      outcomes.push({
        email,
        outcome: 'pending',
        invitationId: existing,
        manualLink: null,
        note: `${email} already has an open invitation to this project; resend it instead of inviting twice.`,
      });
      continue;
    }
    // "Sent" as a person means it: handed to the mail queue; the invitation page shows delivery.
    outcomes.push({
      email,
      outcome: 'sent',
      invitationId: created.id,
      manualLink: created.manualLink,
      note: `Invitation sent to ${email}.`,
    });
  }
  return outcomes;
}
