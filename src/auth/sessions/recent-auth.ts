import type { ActionContext } from '../../core/context';
import { ReauthenticationRequired } from '../../core/errors';
import type { Db } from '../../db/connect';

/**
 * Own password and 2FA changes, and admin actions that remove factors or grant admin rights,
 * need the password proved within the last 10 minutes in this session: a session left open on
 * someone else's screen must not be enough to take the account over.
 */
const REAUTH_WINDOW_MS = 10 * 60_000;

/**
 * A user acting from a web session must have signed in or confirmed their password lately. A
 * context built outside HTTP (the CLI's system actor, domain tests) has no session to ask.
 */
export async function assertRecentAuth(tx: Db, ctx: ActionContext): Promise<void> {
  if (ctx.actor.kind === 'system' || ctx.sessionId === undefined) return;
  // An API token has no session to confirm in: it was made with the password confirmed lately
  // (api_token.create asks for it) and is itself the proof, as a personal token is on GitHub.
  if (ctx.actor.kind === 'user' && ctx.actor.token) return;
  const session =
    ctx.actor.kind === 'user' && ctx.sessionId
      ? await tx
          .selectFrom('sessions')
          .select('reauthenticated_at')
          .where('id', '=', ctx.sessionId)
          .where('user_id', '=', ctx.actor.id)
          .executeTakeFirst()
      : undefined;
  const at = session?.reauthenticated_at;
  if (!at || ctx.clock.now().getTime() - at.getTime() > REAUTH_WINDOW_MS)
    throw new ReauthenticationRequired();
}
