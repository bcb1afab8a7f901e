import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import type { Language } from '../db/schema';
import { invitee, usable } from './invitee-link';

/** The invitee says no: the link stops working and the invitation shows as declined. */
export async function declineInvitation(
  ctx: ActionContext,
  token: string,
): Promise<{ language: Language; accountName: string }> {
  return perform(ctx, 'invitation.decline', async (tx) => {
    const row = await usable(tx, token, ctx.clock.now(), true);
    await tx
      .updateTable('invitations')
      .set({ declined_at: ctx.clock.now(), signup: null })
      .where('id', '=', row.id)
      .execute();
    const settings = await getSettings(tx);
    return {
      result: { language: row.language, accountName: settings.account_name },
      actor: invitee(row.email),
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      after: { state: 'declined' },
    };
  });
}
