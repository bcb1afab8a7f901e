import { z } from 'zod';
import { type PermissionScope, scopeReaches } from '../access/grants';
import { NotFoundError } from '../core/errors';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import { LANGUAGES } from '../i18n/messages';
import { lastMail, type MailSummary } from '../mail/status';
import { type InvitationState, invitationState } from './state';

export interface InvitationDetails {
  id: string;
  email: string;
  state: InvitationState;
  projectId: string;
  projectName: string;
  roleId: string | null;
  roleName: string;
  invitedBy: string;
  hideInviter: boolean;
  language: Language;
  languageName: string;
  message: string;
  createdAt: Date;
  sentAt: Date;
  expiresAt: Date;
  openedAt: Date | null;
  history: Array<{ at: Date; action: string; actor: string; outcome: string; detail: string }>;
  /** The last invitation email and what became of it. */
  mail: MailSummary | null;
}

const HISTORY_ACTIONS: Record<string, string> = {
  'invitation.create': 'Created and sent',
  'invitation.resend': 'Resent',
  'invitation.open': 'Opened',
  'invitation.edit': 'Edited',
  'invitation.revoke': 'Revoked',
  'invitation.decline': 'Declined',
  'invitation.accept': 'Accepted',
  'mail.undelivered': 'Email not delivered',
};

export type InvitationSummary = Omit<InvitationDetails, 'history' | 'mail'>;

/**
 * The invitation without its history: what its dialogs (edit, resend, revoke) need. One to a
 * project outside the viewer's scope is not found, as on the list.
 */
export async function findInvitation(
  db: Db,
  id: string,
  scope: PermissionScope,
  now: Date,
): Promise<InvitationSummary> {
  const row = z.uuid().safeParse(id).success
    ? await db
        .selectFrom('invitations as i')
        .innerJoin('projects as p', 'p.id', 'i.project_id')
        .selectAll('i')
        .select('p.name as project_name')
        .where('i.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !scopeReaches(scope, row.project_id)) throw new NotFoundError('No such invitation.');
  return {
    id: row.id,
    email: row.email,
    state: invitationState(row, now),
    projectId: row.project_id,
    projectName: row.project_name,
    roleId: row.role_id,
    roleName: row.role_name,
    invitedBy: row.invited_by_label,
    hideInviter: row.hide_inviter,
    language: row.language,
    languageName: LANGUAGES[row.language],
    message: row.message,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    expiresAt: row.expires_at,
    openedAt: row.opened_at,
  };
}

/** The invitation and its history (created, sent, opened ...) from the audit trail. */
export async function invitationDetails(
  db: Db,
  id: string,
  scope: PermissionScope,
  now: Date,
): Promise<InvitationDetails> {
  const invitation = await findInvitation(db, id, scope, now);
  const events = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'action', 'actor_label', 'outcome', 'before', 'after', 'reason'])
    .where('target_type', '=', 'invitation')
    .where('target_id', '=', invitation.id)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return {
    ...invitation,
    mail: await lastMail(db, { invitationId: invitation.id }),
    history: events.map((e) => ({
      at: e.occurred_at,
      action: HISTORY_ACTIONS[e.action] ?? e.action,
      actor: e.actor_label,
      outcome: e.outcome,
      detail: historyDetail(e.action, e.before, e.after, e.reason),
    })),
  };
}

function historyDetail(action: string, before: unknown, after: unknown, reason: string | null): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (action === 'invitation.edit') return `${b.project} as ${b.role} → ${a.project} as ${a.role}`;
  if (action === 'invitation.create')
    return `${a.project} as ${a.role}, in ${LANGUAGES[a.language as Language] ?? a.language}`;
  if (action === 'invitation.resend' && typeof a.expiresAt === 'string')
    return `new expiry ${a.expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
  if (action === 'mail.undelivered') return `${a.state}${reason ? `: ${reason}` : ''}`;
  if (action === 'invitation.accept' && typeof a.as === 'string')
    return a.as === 'new' ? 'signed up' : 'existing account';
  return '';
}
