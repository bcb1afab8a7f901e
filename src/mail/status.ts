import type { Db } from '../db/connect';
import type { MailState } from '../db/schema';

/** The last email to a user or about an invitation, as the pages show it. */
export interface MailSummary {
  kind: string;
  state: MailState;
  reason: string | null;
  /** When its state last changed. */
  at: Date;
}

const WHAT: Record<string, string> = {
  invitation: 'Invitation email',
  set_password: 'Set-password email',
  password_reset: 'Password reset email',
  password_reset_link: 'Password reset email',
};

const STATE_WORDS: Record<MailState, string> = {
  queued: 'waiting to be sent',
  sent: 'sent, not yet confirmed delivered',
  delivered: 'delivered',
  delayed: 'delayed',
  bounced: 'bounced',
  complained: 'marked as spam by the recipient',
  failed: 'not sent',
};

/** "Invitation email bounced: mailbox does not exist". */
export function mailStatusText(mail: MailSummary): string {
  const what = WHAT[mail.kind] ?? (mail.kind.startsWith('notice.') ? 'Security notice' : 'Email');
  const why = mail.reason && mail.state !== 'complained' ? `: ${mail.reason}` : '';
  return `${what} ${STATE_WORDS[mail.state]}${why}`;
}

/** Whether the email did not arrive, so that the page offers to send it again or by hand. */
export const mailFailed = (mail: MailSummary | null) =>
  mail !== null && (mail.state === 'bounced' || mail.state === 'failed' || mail.state === 'complained');

export async function lastMail(
  db: Db,
  about: { userId: string } | { invitationId: string },
): Promise<MailSummary | null> {
  const row = await db
    .selectFrom('mail_messages')
    .select(['kind', 'state', 'reason', 'updated_at'])
    .$if('userId' in about, (q) => q.where('user_id', '=', (about as { userId: string }).userId))
    .$if('invitationId' in about, (q) =>
      q.where('invitation_id', '=', (about as { invitationId: string }).invitationId),
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? { kind: row.kind, state: row.state, reason: row.reason, at: row.updated_at } : null;
}
