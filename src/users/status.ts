import type { User } from '../db/schema';

/**
 * One status per user, the first that applies in this order: deactivated beats everything, an
 * expired access beats a lock, and a lock beats a missing password. A person the directory removed
 * (SCIM) is deactivated too (`deactivated_at` set with `directory_removed_at`): their status is
 * Deactivated, and the pages mark the removal beside it.
 */
export type UserStatus = 'Deactivated' | 'Access expired' | 'Locked' | 'Password not set' | 'Active';

export function userStatus(
  user: Pick<User, 'deactivated_at' | 'access_expires_at' | 'locked_until' | 'password_hash'>,
  now: Date,
): UserStatus {
  if (user.deactivated_at) return 'Deactivated';
  if (user.access_expires_at && user.access_expires_at <= now) return 'Access expired';
  if (user.locked_until && user.locked_until > now) return 'Locked';
  if (!user.password_hash) return 'Password not set';
  return 'Active';
}
