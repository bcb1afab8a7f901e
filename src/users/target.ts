import { z } from 'zod';
import { assertMayChangeAccessOf } from '../access/rules';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
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
