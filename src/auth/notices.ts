import { getSettings } from '../account/read-settings';
import type { ActionContext } from '../core/context';
import type { Language } from '../db/schema';
import { isLanguage } from '../i18n/messages';
import { type SecurityMailKind, securityMail } from '../mail/security-mails';

/**
 * Tells a user, in their language, that something happened to their sign-in. Sent after the
 * commit: a failed send must not undo the change it reports (the mailer logs it).
 */
export async function notifyUser(
  ctx: ActionContext,
  kind: SecurityMailKind,
  user: { email: string; name: string; language: string },
  extra: { codesLeft?: number; lockedUntil?: Date; unlock?: { url: string; expiresAt: Date } } = {},
): Promise<void> {
  const settings = await getSettings(ctx.db);
  const language: Language = isLanguage(user.language) ? user.language : 'en';
  try {
    await ctx.mailer.send(
      await securityMail({
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
      }),
    );
  } catch (error) {
    // The change is committed and audited; a lost notice is logged, not turned into a failure.
    console.error(`security notice ${kind} to ${user.email} not sent: ${(error as Error).message}`);
  }
}
