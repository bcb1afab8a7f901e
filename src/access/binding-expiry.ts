import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { bindingForUpdate, describeBinding } from './binding-resolve';

/**
 * Expired bindings stop granting at once (every read filters on the time); this writes each
 * expiry to the audit trail afterwards, once. Run every minute by the `maintenance-minute` job.
 */
export async function recordExpiredBindings(ctx: ActionContext): Promise<number> {
  const now = ctx.clock.now();
  const due = await ctx.db
    .selectFrom('role_bindings')
    .select('id')
    .where('expires_at', '<=', now)
    .where('expiry_recorded_at', 'is', null)
    .limit(500)
    .execute();
  let recorded = 0;
  for (const { id } of due) {
    const done = await perform(ctx, 'binding.expired', async (tx) => {
      const claimed = await tx
        .updateTable('role_bindings')
        .set({ expiry_recorded_at: now })
        .where('id', '=', id)
        .where('expiry_recorded_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      // Another instance recorded it first: roll back rather than write a second event.
      if (!claimed) throw new AlreadyRecorded();
      const { subject, access } = await bindingForUpdate(tx, id);
      return {
        result: undefined,
        target: { type: subject.type, id: subject.id, label: subject.label },
        projectId: claimed.project_id,
        before: describeBinding(access, claimed.project_id, claimed.expires_at),
        reason: 'access period ended',
      };
    }).then(
      () => true,
      (error) => {
        if (error instanceof AlreadyRecorded) return false;
        throw error;
      },
    );
    if (done) recorded++;
  }
  return recorded;
}

class AlreadyRecorded extends Error {}
