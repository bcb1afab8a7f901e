import { issueToken } from '../auth/one-time-tokens';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import type { AccountSettings } from '../db/schema';
import { queueMail } from '../mail/outbox';
import type { setPasswordMail } from '../mail/templates';

/**
 * A one-time set-password link, built from the public URL. The CLI's first admin, admin-created
 * users and admin resets share the page and the purpose.
 */
export async function setPasswordLink(
  tx: Db,
  ctx: Pick<ActionContext, 'clock' | 'config' | 'actor'>,
  userId: string,
  lifetimeMs: number,
) {
  const now = ctx.clock.now();
  const token = await issueToken(tx, {
    userId,
    purpose: 'set_password',
    now,
    lifetimeMs,
    createdBy: ctx.actor.kind === 'user' ? ctx.actor.id : null,
  });
  return {
    link: `${ctx.config.publicUrl}/set-password/${token}`,
    expiresAt: new Date(now.getTime() + lifetimeMs),
  };
}

export interface LinkResult {
  userId: string;
  /** Shown to the admin only when the account allows sending it by other means. */
  manualLink: string | null;
}

/**
 * Queues the link's email in the change's transaction, and returns the link when the account
 * allows sending it by hand.
 */
export async function queueLink(
  tx: Db,
  ctx: ActionContext,
  mail: typeof setPasswordMail,
  kind: 'set_password' | 'password_reset',
  done: {
    user: { id: string; email: string; name: string };
    link: { link: string; expiresAt: Date };
    settings: AccountSettings;
  },
): Promise<LinkResult> {
  const message = await mail({
    to: done.user.email,
    name: done.user.name,
    accountName: done.settings.account_name,
    ...done.link,
  });
  await queueMail(tx, ctx, message, { kind, userId: done.user.id });
  return { userId: done.user.id, manualLink: done.settings.allow_manual_links ? done.link.link : null };
}
