import { assertAccountManagerRemains } from '../access/rules';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import { deleteUserSessions } from '../auth/sessions/sessions';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import { revokeInvitationsBy } from '../invitations/validity';
import { targetForUpdate } from './target';

/** Deactivation: sessions end at once and sign-in is refused until reactivated. */
export async function deactivateUser(ctx: ActionContext, id: string) {
  await perform(ctx, 'user.deactivate', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    if (user.deactivated_at) throw new ConflictError(`${user.email} is already deactivated.`);
    await tx.updateTable('users').set({ deactivated_at: ctx.clock.now() }).where('id', '=', id).execute();
    const endedSessions = await deleteUserSessions(tx, id, null, ctx.jobs);
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: userTarget(user),
      before: { status: 'active' },
      after: { status: 'deactivated', endedSessions },
    };
  });
}

export async function reactivateUser(ctx: ActionContext, id: string) {
  await perform(ctx, 'user.reactivate', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    if (!user.deactivated_at) throw new ConflictError(`${user.email} is not deactivated.`);
    await tx.updateTable('users').set({ deactivated_at: null }).where('id', '=', id).execute();
    return {
      result: undefined,
      target: userTarget(user),
      before: { status: 'deactivated' },
      after: { status: 'active' },
    };
  });
}

/** Final: the user, their bindings, sessions, links and team memberships go. */
export async function deleteUser(ctx: ActionContext, id: string) {
  await perform(ctx, 'user.delete', async (tx) => {
    const user = await targetForUpdate(tx, ctx, id, 'your own account this way');
    await revokeInvitationsBy(tx, ctx, id);
    await tx.deleteFrom('users').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return { result: undefined, target: userTarget(user), before: { name: user.name, email: user.email } };
  });
}
