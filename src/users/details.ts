import { z } from 'zod';
import { effectiveAccess } from '../access/effective-access';
import type { PermissionScope } from '../access/grants';
import { getSettings } from '../account/read-settings';
import { hasUsablePassword } from '../auth/passwords/reset-epoch';
import { activeLocks } from '../auth/sign-in/lockout';
import { NotFoundError } from '../core/errors';
import type { Db } from '../db/connect';
import { lastMail } from '../mail/status';
import { userStatus } from './status';

/**
 * Everything the user page shows, read in one place. Their recent events follow the viewer's
 * audit scope, as on the audit log: none without audit.view (`auditScope` null), only their
 * projects' events for a viewer who holds it in some projects.
 */
export async function userDetails(
  db: Db,
  id: string,
  now: Date,
  viewer: { id?: string; auditScope?: PermissionScope | null } = {},
) {
  const scope = viewer.auditScope ?? null;
  const readsEvents = scope !== null && (scope.all || scope.projectIds.length > 0);
  if (!z.uuid().safeParse(id).success) throw new NotFoundError('There is no such user.');
  const user = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!user) throw new NotFoundError('There is no such user.');
  const [access, sessions, events, identities] = await Promise.all([
    effectiveAccess(db, id, now, viewer.id),
    db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', id)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
    readsEvents
      ? db
          .selectFrom('audit_events')
          .select(['id', 'occurred_at', 'actor_label', 'action', 'outcome'])
          .where((eb) =>
            eb.or([
              eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', id)]),
              eb('actor_id', '=', id),
            ]),
          )
          .$if(!scope.all, (q) => q.where('project_id', 'in', scope.all ? [] : scope.projectIds))
          .orderBy('id', 'desc')
          .limit(20)
          .execute()
      : null,
    linkedIdentities(db, id),
  ]);
  const locks = await activeLocks(db, user, now);
  const passwordSet = hasUsablePassword(user, await getSettings(db));
  const mail = await lastMail(db, { userId: user.id });
  return {
    locks,
    mail,
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      language: user.language,
      status: userStatus({ ...user, password_hash: passwordSet ? user.password_hash : null }, now),
      lockedUntil: user.locked_until,
      accessExpiresAt: user.access_expires_at,
      lastLoginAt: user.last_login_at,
      createdAt: user.created_at,
      passwordSet,
      twoFactor: user.totp_secret !== null,
      deactivated: user.deactivated_at !== null,
      // Where they came from: null made in Gatehouse, 'scim' the directory, 'sso' a first single
      // sign-on, through the provider of their earliest linked identity.
      source: user.source,
      createdThrough: user.source === 'sso' ? (identities[0]?.providerName ?? null) : null,
      externalId: user.external_id,
      directoryRemovedAt: user.directory_removed_at,
    },
    identities,
    access,
    activeSessions: Number(sessions.n),
    events,
  };
}

export type UserDetails = Awaited<ReturnType<typeof userDetails>>;

/** The provider accounts linked to a person (single sign-on), the earliest linked first. */
async function linkedIdentities(db: Db, userId: string) {
  return db
    .selectFrom('user_identities as i')
    .innerJoin('identity_providers as p', 'p.id', 'i.provider_id')
    .select(['p.name as providerName', 'i.created_at as linkedAt', 'i.last_sign_in_at as lastSignInAt'])
    .where('i.user_id', '=', userId)
    .orderBy('i.created_at')
    .orderBy('p.name')
    .execute();
}

/** Who a confirmation names, and nothing else. */
export async function findUser(db: Db, id: string): Promise<{ id: string; name: string; email: string }> {
  const user = z.uuid().safeParse(id).success
    ? await db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!user) throw new NotFoundError('There is no such user.');
  return user;
}
