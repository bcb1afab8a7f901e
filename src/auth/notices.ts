import { getSettings } from '../account/read-settings';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import { isLanguage } from '../i18n/messages';
import { queueMail } from '../mail/outbox';
import { type SecurityMailKind, securityMail } from '../mail/security-mails';

/**
 * Tells a user, in their language, that something happened to their sign-in: queued in the
 * transaction of the change it reports, so it goes exactly when the change is committed.
 */
export async function notifyUser(
  tx: Db,
  ctx: ActionContext,
  kind: SecurityMailKind,
  user: { id: string; email: string; name: string; language: string },
  extra: { codesLeft?: number; lockedUntil?: Date; unlock?: { url: string; expiresAt: Date } } = {},
): Promise<void> {
  const settings = await getSettings(tx);
  const language: Language = isLanguage(user.language) ? user.language : 'en';
  const message = await securityMail({
    kind,
    to: user.email,
    name: user.name,
    language,
    accountName: settings.account_name,
    at: ctx.clock.now(),
    ip: ctx.meta.ip,
    signInUrl: `${ctx.config.publicUrl}/login`,
    codesLeft: extra.codesLeft,
    lockedUntil: extra.lockedUntil,
    unlock: extra.unlock,
  });
  await queueMail(tx, ctx, message, { kind: `notice.${kind}`, userId: user.id });
}
