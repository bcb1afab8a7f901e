import { z } from 'zod';
import { getSettings } from '../../account/read-settings';
import type { ActionContext } from '../../core/context';
import { ValidationError } from '../../core/errors';
import { emailSchema, nameSchema } from '../../core/validation';
import { makeAccountAdmin } from '../../users/create';
import { hashPassword, passwordProblem } from '../passwords/hashing';
import { createSession } from '../sessions/sessions';
import { SetupLinkUnusable, setupLinkState, spendSetupLink } from './setup-link';

/**
 * Who makes the first admin in the audit trail: nobody signed in yet, so the system, named by
 * the way in, as the CLI's `create-admin` is `cli`. Holding the link is the authority, as holding
 * the server's console is for the CLI.
 */
export const SETUP_ACTOR = { kind: 'system', label: 'setup link' } as const;

export interface FirstAdminInput {
  name?: string;
  email?: string;
  password?: string;
  confirm?: string;
}

export interface FirstAdminResult {
  sessionToken: string;
  name: string;
  /** The account requires two-factor authentication: the session is at the enrolment stage. */
  mustEnrol: boolean;
}

/** What the setup page needs to say, once the link is known to be usable. */
export async function setupPageFacts(
  ctx: ActionContext,
  token: string,
): Promise<{ minLength: number; requireTwoFactor: boolean }> {
  const state = await setupLinkState(ctx.db, token, ctx.clock.now());
  if (state !== 'usable') throw new SetupLinkUnusable(state);
  const settings = await getSettings(ctx.db);
  return { minLength: settings.password_min_length, requireTwoFactor: settings.require_two_factor };
}

const identitySchema = z.object({ name: nameSchema, email: emailSchema });

/**
 * The first Account Admin, from the setup link: name, email and a password under the account's
 * policy (the set-password page's rules), every problem at once. The link is checked before the
 * password is hashed, and used in the transaction that makes the admin (through the CLI's own
 * makeAccountAdmin), which also opens their session: they are signed in, at the 2FA enrolment
 * where the account requires it.
 */
export async function createFirstAdmin(
  ctx: ActionContext,
  token: string,
  input: FirstAdminInput,
): Promise<FirstAdminResult> {
  const { minLength } = await setupPageFacts(ctx, token);
  const errors: Record<string, string> = {};
  const identity = identitySchema.safeParse({ name: input.name ?? '', email: input.email ?? '' });
  if (!identity.success)
    for (const issue of identity.error.issues) errors[String(issue.path[0])] ??= issue.message;
  const password = input.password ?? '';
  if (!password) errors.password = 'Enter a password.';
  else {
    const problem = passwordProblem({
      password,
      minLength,
      email: identity.data?.email ?? input.email ?? '',
      name: identity.data?.name ?? input.name ?? '',
    });
    if (problem) errors.password = problem;
    else if (password !== (input.confirm ?? '')) errors.confirm = 'The two passwords do not match.';
  }
  if (!identity.success || Object.keys(errors).length > 0) throw new ValidationError(errors);
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();
  return makeAccountAdmin({ ...ctx, actor: SETUP_ACTOR }, identity.data, {
    passwordHash,
    onlyIf: (tx) => spendSetupLink(tx, token, now),
    finish: async (tx, admin) => {
      const settings = await getSettings(tx);
      const sessionToken = await createSession(tx, {
        userId: admin.id,
        now,
        settings,
        ip: ctx.meta.ip,
        userAgent: ctx.meta.userAgent,
      });
      await tx.updateTable('users').set({ last_login_at: now }).where('id', '=', admin.id).execute();
      return {
        result: { sessionToken, name: admin.name, mustEnrol: settings.require_two_factor },
        after: { password: 'chosen', signedIn: true },
      };
    },
  });
}
