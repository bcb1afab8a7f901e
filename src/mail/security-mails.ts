import { html } from 'hono/html';
import type { Language } from '../db/schema';
import { longDate } from '../i18n/messages';
import { securityMessages } from '../i18n/security-messages';
import type { MailMessage } from './mailer';

export type SecurityMailKind =
  | 'passwordChanged' // the user changed their own password (My account)
  | 'passwordReset' // the password was reset through a forgot-password/reset link
  | 'twoFactorEnabled' // the user turned on two-factor authentication
  | 'twoFactorRemoved' // the user removed their own two-factor authentication
  | 'twoFactorReset' // an administrator reset the user's two-factor authentication; they set it up again at next sign-in
  | 'recoveryCodeUsed' // a recovery code was used to sign in (or to reset the password); says how many are left
  | 'accountLocked'; // too many failed sign-in attempts; locked until lockedUntil

/** At or below this many recovery codes left, the mail suggests making new ones. */
const FEW_CODES_LEFT = 3;

/** Where each notification points: the sign-in page, or My account to change a setting. */
const DESTINATION: Record<SecurityMailKind, 'signIn' | 'myAccount'> = {
  passwordChanged: 'signIn',
  passwordReset: 'signIn',
  twoFactorEnabled: 'myAccount',
  twoFactorRemoved: 'myAccount',
  twoFactorReset: 'signIn',
  recoveryCodeUsed: 'myAccount',
  accountLocked: 'signIn',
};

/**
 * Tells a user that something changed in the security of their account, in their language, and
 * what to do if it was not them. Never holds a password or a code. `codesLeft` is required for
 * recoveryCodeUsed and `lockedUntil` for accountLocked.
 */
export async function securityMail(input: {
  kind: SecurityMailKind;
  to: string;
  name: string;
  language: Language;
  accountName: string;
  at: Date;
  ip: string | null;
  codesLeft?: number;
  lockedUntil?: Date;
  /** accountLocked, for a lock of the whole account: the owner's link that ends it, and its end. */
  unlock?: { url: string; expiresAt: Date };
  signInUrl: string;
}): Promise<MailMessage> {
  if (input.kind === 'recoveryCodeUsed' && input.codesLeft === undefined)
    throw new TypeError('A recoveryCodeUsed mail needs codesLeft.');
  if (input.kind === 'accountLocked' && input.lockedUntil === undefined)
    throw new TypeError('An accountLocked mail needs lockedUntil.');
  const t = securityMessages(input.language);
  const texts = t.kinds[input.kind];
  const codesLeft = input.codesLeft ?? 0;
  const body = texts.body({
    account: input.accountName,
    codesLeft,
    fewCodesLeft: codesLeft <= FEW_CODES_LEFT,
    lockedUntil: input.lockedUntil ? longDate(input.lockedUntil, input.language) : '',
  });
  if (input.unlock) body.push(t.unlock.body(longDate(input.unlock.expiresAt, input.language)));
  const details = [
    t.labelled(t.when, longDate(input.at, input.language)),
    ...(input.ip ? [t.labelled(t.ipAddress, input.ip)] : []),
  ];
  const [action, url] = input.unlock
    ? [t.unlock.action, input.unlock.url]
    : DESTINATION[input.kind] === 'myAccount'
      ? [t.goToMyAccount, `${new URL(input.signInUrl).origin}/account`]
      : [t.goToSignIn, input.signInUrl];
  const greeting = t.greeting(input.name.trim() || null);
  const notYou = texts.notYou(input.accountName);
  const page = html`<!DOCTYPE html>
<html lang="${input.language}"><body style="font-family: system-ui, sans-serif; line-height: 1.5">
<p>${greeting}</p>
${body.map((line) => html`<p>${line}</p>`)}
<p>${details.map((line, i) => (i === 0 ? line : html`<br>${line}`))}</p>
<p><a href="${url}">${action}</a></p>
<p>${notYou}</p>
</body></html>`;
  return {
    to: input.to,
    subject: texts.subject(input.accountName),
    html: String(await page),
    text: `${[greeting, ...body, details.join('\n'), t.labelled(action, url), notYou].join('\n\n')}\n`,
    tags: [
      { name: 'category', value: input.kind },
      { name: 'language', value: input.language },
    ],
  };
}

/** Someone asked to reset the password: a link that works once, until expiresAt. */
export async function resetLinkMail(input: {
  to: string;
  name: string;
  language: Language;
  accountName: string;
  link: string;
  expiresAt: Date;
}): Promise<MailMessage> {
  const t = securityMessages(input.language);
  const greeting = t.greeting(input.name.trim() || null);
  const lines = [
    greeting,
    t.resetLink.body(input.accountName),
    t.resetLink.expires(longDate(input.expiresAt, input.language)),
  ];
  const page = html`<!DOCTYPE html>
<html lang="${input.language}"><body style="font-family: system-ui, sans-serif; line-height: 1.5">
${lines.map((line) => html`<p>${line}</p>`)}
<p><a href="${input.link}">${t.resetLink.action}</a></p>
<p>${t.resetLink.linkFallback}<br>${input.link}</p>
<p>${t.resetLink.ignore}</p>
</body></html>`;
  return {
    to: input.to,
    subject: t.resetLink.subject(input.accountName),
    html: String(await page),
    text: `${lines.join('\n\n')}\n\n${t.labelled(t.resetLink.action, input.link)}\n\n${t.resetLink.ignore}\n`,
    tags: [
      { name: 'category', value: 'password_reset_link' },
      { name: 'language', value: input.language },
    ],
  };
}
