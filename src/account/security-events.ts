import { SECURITY_ACTIONS } from '../audit/actions';
import type { ActionContext } from '../core/context';
import { self } from './self';

/** Sign-ins, lockouts and changes to your password, 2FA and sessions, newest first. */
export async function mySecurityEvents(ctx: ActionContext, limit = 20) {
  const me = self(ctx);
  return ctx.db
    .selectFrom('audit_events')
    .select(['id', 'occurred_at', 'action', 'outcome', 'ip'])
    .where((eb) =>
      eb.or([
        eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', me.id)]),
        eb.and([eb('actor_id', '=', me.id), eb('action', 'like', 'auth.%')]),
      ]),
    )
    .where('action', 'in', SECURITY_ACTIONS)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export type SecurityEvent = Awaited<ReturnType<typeof mySecurityEvents>>[number];
