import type { Db } from '../db/connect';

export type InvitationState = 'pending' | 'expired' | 'declined' | 'revoked' | 'accepted';

export function invitationState(
  row: { accepted_at: Date | null; declined_at: Date | null; revoked_at: Date | null; expires_at: Date },
  now: Date,
): InvitationState {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  if (row.declined_at) return 'declined';
  return row.expires_at <= now ? 'expired' : 'pending';
}

/** Not accepted, declined or revoked (expired ones too: they can be resent). */
export const openInvitations = (db: Db) =>
  db
    .selectFrom('invitations')
    .where('accepted_at', 'is', null)
    .where('declined_at', 'is', null)
    .where('revoked_at', 'is', null);

/** Pending invitations offering a role, which must not vanish under them. */
export async function pendingInvitationsWithRole(db: Db, roleId: string): Promise<number> {
  const row = await openInvitations(db)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_id', '=', roleId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
