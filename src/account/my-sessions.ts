import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import { deleteUserSessions } from '../auth/sessions/sessions';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
import { self } from './self';

export interface MySession {
  id: string;
  browser: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

export async function mySessions(ctx: ActionContext): Promise<MySession[]> {
  const me = self(ctx);
  const rows = await ctx.db
    .selectFrom('sessions')
    .select(['id', 'user_agent', 'ip', 'created_at', 'last_seen_at'])
    .where('user_id', '=', me.id)
    .where('expires_at', '>', ctx.clock.now())
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    browser: describeBrowser(r.user_agent),
    ip: r.ip,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    current: r.id === ctx.sessionId,
  }));
}

/** "Firefox on Linux": enough to recognise a device; the full string is not worth showing. */
function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const browser =
    [
      [/Edg\//, 'Edge'],
      [/OPR\//, 'Opera'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\/|Chromium\//, 'Chrome'],
      [/Safari\//, 'Safari'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? 'Unknown browser';
  const os =
    [
      [/Windows/, 'Windows'],
      [/iPhone|iPad/, 'iOS'],
      [/Android/, 'Android'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ].find(([re]) => (re as RegExp).test(userAgent))?.[1] ?? null;
  return os ? `${browser} on ${os}` : (browser as string);
}

/** Signs out one of your sessions (this one too, if you choose it). */
export async function endMySession(ctx: ActionContext, sessionId: string): Promise<void> {
  const me = self(ctx);
  await perform(ctx, 'user.session_end', async (tx) => {
    const ended = await tx
      .deleteFrom('sessions')
      .where('id', '=', sessionId)
      .where('user_id', '=', me.id)
      .executeTakeFirst();
    if (Number(ended.numDeletedRows) === 0) throw new NotFoundError('There is no such session.');
    return {
      result: undefined,
      target: userTarget(me),
      projectId: null,
      after: { session: sessionId.slice(0, 6) },
    };
  });
}

export async function endOtherSessions(ctx: ActionContext): Promise<number> {
  const me = self(ctx);
  return perform(ctx, 'user.sessions_end_others', async (tx) => {
    const ended = await deleteUserSessions(tx, me.id, ctx.sessionId);
    return { result: ended, target: userTarget(me), projectId: null, after: { endedSessions: ended } };
  });
}
