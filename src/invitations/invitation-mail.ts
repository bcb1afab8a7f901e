import { randomToken, sha256 } from '../auth/tokens';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import { queueMail } from '../mail/outbox';
import { invitationMail } from '../mail/templates';

/** An invitation's link (a new token each time it is sent) and its email. */

export function newToken(now: Date, lifetimeHours: number) {
  const token = randomToken(32);
  return { token, hash: sha256(token), expiresAt: new Date(now.getTime() + lifetimeHours * 3_600_000) };
}

const inviteLink = (ctx: ActionContext, token: string) => `${ctx.config.publicUrl}/invite/${token}`;

/** What the invitation email says, and the link in it. */
export interface Mailable {
  id: string;
  email: string;
  language: Language;
  hideInviter: boolean;
  message: string;
  projectName: string;
  roleName: string;
  inviterLabel: string;
  token: string;
  expiresAt: Date;
  accountName: string;
  allowManualLinks: boolean;
}

/**
 * Queues the invitation's email in the transaction that created or renewed it. The key is the
 * invitation and its expiry: one email per link, however often the job is retried.
 */
export async function queueInvitationMail(
  tx: Db,
  ctx: ActionContext,
  m: Mailable,
): Promise<{ manualLink: string | null }> {
  const link = inviteLink(ctx, m.token);
  const message = await invitationMail({
    to: m.email,
    language: m.language,
    inviter: m.hideInviter ? null : m.inviterLabel,
    accountName: m.accountName,
    projectName: m.projectName,
    roleName: m.roleName,
    message: m.message,
    link,
    expiresAt: m.expiresAt,
  });
  await queueMail(
    tx,
    ctx,
    { ...message, idempotencyKey: `invitation-${m.id}-${m.expiresAt.getTime()}` },
    { kind: 'invitation', invitationId: m.id },
  );
  return { manualLink: m.allowManualLinks ? link : null };
}
