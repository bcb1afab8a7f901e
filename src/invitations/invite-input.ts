import { z } from 'zod';
import { ValidationError } from '../core/errors';
import { emailSchema } from '../core/validation';
import type { Language } from '../db/schema';
import { isLanguage } from '../i18n/messages';

/** One submission names at most this many addresses; the daily limit bounds the rest. */
export const MAX_ADDRESSES = 50;

/** Splits on commas, semicolons and line breaks; each address is checked on its own. */
export function parseAddresses(text: string): { emails: string[]; problems: string[] } {
  const emails: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const entries = text
    .split(/[\n,;]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const parsed = emailSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(`“${entry.slice(0, 80)}” is not an email address.`);
      continue;
    }
    const key = parsed.data.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    emails.push(parsed.data);
  }
  return { emails, problems };
}

export interface InviteInput {
  emails?: unknown;
  projectId?: unknown;
  roleId?: unknown;
  language?: unknown;
  hideInviter?: unknown;
  message?: unknown;
}

/** An invitation request, checked: the addresses and what each is invited to. */
export interface CheckedInvite {
  emails: string[];
  projectId: string;
  roleId: string;
  language: Language;
  hideInviter: boolean;
  message: string;
}

export function checkInput(input: InviteInput): CheckedInvite {
  const errors: Record<string, string> = {};
  const { emails, problems } = parseAddresses(typeof input.emails === 'string' ? input.emails : '');
  if (problems.length > 0)
    errors.emails = `${problems.join(' ')} Correct or remove ${problems.length === 1 ? 'it' : 'them'}.`;
  else if (emails.length === 0) errors.emails = 'Enter at least one email address.';
  else if (emails.length > MAX_ADDRESSES)
    errors.emails = `Invite at most ${MAX_ADDRESSES} people at once (you entered ${emails.length}).`;
  const projectId = typeof input.projectId === 'string' ? input.projectId : '';
  if (!z.uuid().safeParse(projectId).success) errors.projectId = 'Choose a project.';
  const roleId = typeof input.roleId === 'string' ? input.roleId : '';
  if (!z.uuid().safeParse(roleId).success) errors.roleId = 'Choose a role.';
  if (!isLanguage(input.language)) errors.language = 'Choose the language of the email.';
  const message = typeof input.message === 'string' ? input.message.replaceAll('\r\n', '\n').trim() : '';
  if (message.length > 1000)
    errors.message = `Keep the message to 1,000 characters (it has ${message.length.toLocaleString('en-US')}).`;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return {
    emails,
    projectId,
    roleId,
    language: input.language as Language,
    hideInviter: input.hideInviter === true || input.hideInviter === 'on' || input.hideInviter === '1',
    message,
  };
}
