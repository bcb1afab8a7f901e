import { z } from 'zod';
import { assertMayChangeAccessOf } from '../access/rules';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError } from '../core/errors';
import type { Db } from '../db/connect';

/** The person an admin acts on, locked: never yourself, and only someone you outrank. */
export async function targetForUpdate(tx: Db, ctx: ActionContext, id: string, what: string) {
  const user = z.uuid().safeParse(id).success
    ? await tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  if (!user) throw new NotFoundError('There is no such user.');
  await assertMayChangeAccessOf(tx, ctx, [user.id], what);
  return user;
}

/** Passwords and their emails are for people: a service account acts only through its tokens. */
export function assertPerson(user: { email: string; service_account: boolean }) {
  if (user.service_account)
    throw new ConflictError(
      `${user.email} is a service account: it has no password and signs in only with its API tokens.`,
    );
}
