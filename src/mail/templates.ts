import { html } from 'hono/html';
import type { Language } from '../db/schema';
import { longDate, messages } from '../i18n/messages';
import type { MailMessage } from './mailer';

/** The date a link stops working, spelled out in UTC so it reads the same everywhere. */
function until(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

async function render(parts: {
  to: string;
  subject: string;
  lines: string[];
  link: string;
  action: string;
  tag: string;
}) {
  const body = html`<!DOCTYPE html>
<html lang="en"><body style="font-family: system-ui, sans-serif; line-height: 1.5">
${parts.lines.map((line) => html`<p>${line}</p>`)}
<p><a href="${parts.link}">${parts.action}</a></p>
<p>If the button does not work, copy this address into your browser:<br>${parts.link}</p>
</body></html>`;
  const message: MailMessage = {
    to: parts.to,
    subject: parts.subject,
    html: String(await body),
    text: `${parts.lines.join('\n\n')}\n\n${parts.action}: ${parts.link}\n`,
    tags: [{ name: 'category', value: parts.tag }],
  };
  return message;
}

/** To a user an admin created: choose a password to start. */
export function setPasswordMail(input: {
  to: string;
  name: string;
  accountName: string;
  link: string;
  expiresAt: Date;
}) {
  return render({
    to: input.to,
    subject: `Set your password for ${input.accountName}`,
    lines: [
      `Hello ${input.name},`,
      `An administrator created an account for you in ${input.accountName}. Choose your password to start.`,
      `This link works once, until ${until(input.expiresAt)}.`,
    ],
    link: input.link,
    action: 'Set your password',
    tag: 'set_password',
  });
}

/** After an admin reset the password: the old one no longer works. */
export function passwordResetMail(input: {
  to: string;
  name: string;
  accountName: string;
  link: string;
  expiresAt: Date;
}) {
  return render({
    to: input.to,
    subject: `Your ${input.accountName} password was reset`,
    lines: [
      `Hello ${input.name},`,
      `An administrator of ${input.accountName} reset your password. Your old password no longer works.`,
      `Choose a new one with this link. It works once, until ${until(input.expiresAt)}.`,
    ],
    link: input.link,
    action: 'Choose a new password',
    tag: 'password_reset',
  });
}

/** The invitation, in the language the inviter chose. */
export async function invitationMail(input: {
  to: string;
  language: Language;
  inviter: string | null;
  accountName: string;
  projectName: string;
  roleName: string;
  message: string;
  link: string;
  expiresAt: Date;
}): Promise<MailMessage> {
  const t = messages(input.language);
  const invite = {
    inviter: input.inviter,
    account: input.accountName,
    project: input.projectName,
    role: input.roleName,
  };
  const expiry = t.expiresOn(longDate(input.expiresAt, input.language));
  const note = input.message ? [t.theirMessage(input.inviter), input.message] : [];
  const body = html`<!DOCTYPE html>
<html lang="${input.language}"><body style="font-family: system-ui, sans-serif; line-height: 1.5">
<p>${t.invitedYou(invite)}</p>
${input.message ? html`<p>${t.theirMessage(input.inviter)}</p><blockquote style="white-space: pre-line">${input.message}</blockquote>` : ''}
<p>${expiry}</p>
<p><a href="${input.link}">${t.acceptInvitation}</a></p>
<p>${t.linkFallback}<br>${input.link}</p>
<p>${t.notExpected}</p>
</body></html>`;
  return {
    to: input.to,
    subject: t.mailSubject(invite),
    html: String(await body),
    text: `${[t.invitedYou(invite), ...note, expiry].join('\n\n')}\n\n${t.acceptInvitation}: ${input.link}\n\n${t.notExpected}\n`,
    tags: [
      { name: 'category', value: 'invitation' },
      { name: 'language', value: input.language },
    ],
  };
}
