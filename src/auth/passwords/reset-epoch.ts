import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Db } from '../../db/connect';
import type { User } from '../../db/schema';

/*
 * "Reset all passwords" does not rewrite every user's row (at a million users that alone took
 * two minutes, and the passwords not yet reached went on working meanwhile). It records when it
 * began and who began it (account_settings.passwords_reset_at / passwords_reset_by), and from that
 * moment every password set before it stops working, but the starter's. A password is usable when
 * it is set, and was set (password_changed_at) since the last reset or belongs to the person who
 * started it. Everything that asks "does this person have a password" asks here: sign-in, the
 * status shown and filtered on, the rule that counts account managers, the set-password resend.
 */

const resetAt = sql`(select passwords_reset_at from account_settings where id = 1)`;
const resetBy = sql`(select passwords_reset_by from account_settings where id = 1)`;

/** SQL: the user row `alias` has a password that works. */
export function passwordUsable(alias: string): RawBuilder<SqlBool> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<SqlBool>`(${column('password_hash')} is not null and (${resetAt} is null
    or ${column('password_changed_at')} >= ${resetAt} or ${column('id')} = ${resetBy}))`;
}

/** SQL: the password hash where it works, else null (sign-in and proving one's password read this). */
export function usableHash(alias: string): RawBuilder<string | null> {
  return sql<string | null>`case when ${passwordUsable(alias)} then ${sql.ref(`${alias}.password_hash`)} end`;
}

export interface PasswordEpoch {
  passwords_reset_at: Date | null;
  passwords_reset_by: string | null;
}

/** The account's last reset, as the tests here take it. */
export function passwordEpoch(db: Db): Promise<PasswordEpoch> {
  return db
    .selectFrom('account_settings')
    .select(['passwords_reset_at', 'passwords_reset_by'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
}

/**
 * SQL for the list's status filters: whether the row `alias` has a usable password (or, with
 * `usable` false, has none), with the reset's time and starter written into the query as
 * constants. The planner then knows from its statistics how few passwords were set since a reset
 * and finds them through users_password_changed, where a subquery's value (unknown when it plans)
 * made it read a million rows for "Active". With no reset on record it is the partial index's
 * own predicate (users_password_not_set). Query shapes built with it are keyed by the epoch.
 */
export function passwordCondition(alias: string, epoch: PasswordEpoch, usable: boolean): RawBuilder<SqlBool> {
  const hash = sql.ref(`${alias}.password_hash`);
  const at = epoch.passwords_reset_at;
  if (!at) return usable ? sql<SqlBool>`${hash} is not null` : sql<SqlBool>`${hash} is null`;
  const since = sql`${sql.lit(at.toISOString())}::timestamptz`;
  const changed = sql.ref(`${alias}.password_changed_at`);
  const by = epoch.passwords_reset_by;
  // A uuid read from a uuid column: nothing in it needs escaping.
  const starter = by && UUID.test(by) ? sql`${sql.ref(`${alias}.id`)} = ${sql.lit(by)}::uuid` : null;
  if (usable)
    return starter
      ? sql<SqlBool>`(${hash} is not null and (${changed} >= ${since} or ${starter}))`
      : sql<SqlBool>`(${hash} is not null and ${changed} >= ${since})`;
  return starter
    ? sql<SqlBool>`(${hash} is null or (${changed} < ${since} and not ${starter}))`
    : sql<SqlBool>`(${hash} is null or ${changed} < ${since})`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same test in TypeScript, for a row already read, given the account's settings. */
export function hasUsablePassword(
  user: Pick<User, 'id' | 'password_hash' | 'password_changed_at'>,
  epoch: PasswordEpoch,
): boolean {
  if (!user.password_hash) return false;
  const at = epoch.passwords_reset_at;
  if (!at || user.id === epoch.passwords_reset_by) return true;
  return user.password_changed_at !== null && user.password_changed_at >= at;
}
