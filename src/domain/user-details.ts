import { z } from 'zod';
import type { Db } from '../db/connect';
import { effectiveAccess } from './effective-access';
import { NotFoundError } from './errors';
import { userStatus } from './user-actions';

/** Everything the user page shows, read in one place. */
export async function userDetails(db: Db, id: string, now: Date, viewerId?: string) {
  if (!z.uuid().safeParse(id).success) throw new NotFoundError('There is no such user.');
  const user = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!user) throw new NotFoundError('There is no such user.');
  const [access, sessions, events] = await Promise.all([
    effectiveAccess(db, id, now, viewerId),
    db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', id)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('audit_events')
      .select(['id', 'occurred_at', 'actor_label', 'action', 'outcome'])
      .where((eb) =>
        eb.or([eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', id)]), eb('actor_id', '=', id)]),
      )
      .orderBy('id', 'desc')
      .limit(20)
      .execute(),
  ]);
  return {
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      language: user.language,
      status: userStatus(user, now),
      lockedUntil: user.locked_until,
      accessExpiresAt: user.access_expires_at,
      lastLoginAt: user.last_login_at,
      createdAt: user.created_at,
      passwordSet: user.password_hash !== null,
      twoFactor: user.totp_secret !== null,
      deactivated: user.deactivated_at !== null,
    },
    access,
    activeSessions: Number(sessions.n),
    events,
  };
}

export type UserDetails = Awaited<ReturnType<typeof userDetails>>;
