import { randomToken, sha256 } from '../auth/tokens';
import type { ActionContext } from '../core/context';
import type { Language } from '../db/schema';
import { MailError } from '../mail/mailer';
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

/** After the commit: a failed send leaves the invitation, which "Resend" reaches later. */
export async function mailInvitation(
  ctx: ActionContext,
  m: Mailable,
): Promise<{ sent: boolean; manualLink: string | null }> {
  const link = inviteLink(ctx, m.token);
  let sent = true;
  try {
    await ctx.mailer.send({
      ...(await invitationMail({
        to: m.email,
        language: m.language,
        inviter: m.hideInviter ? null : m.inviterLabel,
        accountName: m.accountName,
        projectName: m.projectName,
        roleName: m.roleName,
        message: m.message,
        link,
        expiresAt: m.expiresAt,
      })),
      idempotencyKey: `invitation-${m.id}-${m.expiresAt.getTime()}`,
    });
  } catch (error) {
    if (!(error instanceof MailError)) throw error;
    console.error(`invitation ${m.id}: the email was not sent`, error.message);
    sent = false;
  }
  return { sent, manualLink: m.allowManualLinks ? link : null };
}
