import { issueToken } from '../auth/one-time-tokens';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import type { AccountSettings } from '../db/schema';
import type { setPasswordMail } from '../mail/templates';

/**
 * A one-time set-password link, built from the public URL. The CLI's first admin, admin-created
 * users and admin resets share the page and the purpose.
 */
export async function setPasswordLink(tx: Db, ctx: ActionContext, userId: string, lifetimeMs: number) {
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

/** Emails the link (sent after the commit), and returns it when the account allows sending it by hand. */
export async function sendLink(
  ctx: ActionContext,
  mail: typeof setPasswordMail,
  done: {
    user: { id: string; email: string; name: string };
    link: { link: string; expiresAt: Date };
    settings: AccountSettings;
  },
): Promise<LinkResult> {
  await ctx.mailer.send(
    await mail({
      to: done.user.email,
      name: done.user.name,
      accountName: done.settings.account_name,
      ...done.link,
    }),
  );
  return { userId: done.user.id, manualLink: done.settings.allow_manual_links ? done.link.link : null };
}
