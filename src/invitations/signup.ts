import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { describePasswordIssue, hashPassword, passwordIssue } from '../auth/passwords/hashing';
import { newRecoveryCodes } from '../auth/two-factor/recovery-codes';
import { decryptSecret, encryptSecret } from '../auth/two-factor/secret-box';
import { newTotpSecret, type TotpSetup, totpSetup, verifyTotp } from '../auth/two-factor/totp';
import type { ActionContext } from '../core/context';
import { ValidationError } from '../core/errors';
import { messages } from '../i18n/messages';
import { assertNoAccount, createInvitedUser, type SignupResult } from './accept';
import { invitee, usable } from './invitee-link';
import { atStep, codeHash, draftAt, type SignupDraft, saveDraft } from './signup-draft';

/**
 * A new person's sign-up, step by step: name and password, then (when the account requires it)
 * TOTP enrolment and recovery codes. The draft waits on the invitation until the last step.
 */

/**
 * Step one of a sign-up: name and password, checked against the policy in the invitation's
 * language. With two-factor authentication required, the draft waits for enrolment; without it,
 * the person becomes a user at once.
 */
export async function startSignup(
  ctx: ActionContext,
  token: string,
  input: { name?: string; password?: string; confirm?: string },
): Promise<SignupResult> {
  const now = ctx.clock.now();
  const row = await usable(ctx.db, token, now);
  const t = messages(row.language).errors;
  const settings = await getSettings(ctx.db);
  const name = (input.name ?? '').trim();
  const password = input.password ?? '';
  const errors: Record<string, string> = {};
  if (!name) errors.name = t.nameMissing;
  else if (name.length > 200) errors.name = t.nameTooLong;
  if (!password) errors.password = t.passwordMissing;
  else {
    const issue = passwordIssue({
      password,
      minLength: settings.password_min_length,
      email: row.email,
      name,
    });
    if (issue) errors.password = describePasswordIssue(issue, t);
    else if (password !== (input.confirm ?? '')) errors.confirm = t.passwordsDiffer;
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const passwordHash = await hashPassword(password);
  if (settings.require_two_factor) {
    const draft: SignupDraft = {
      name,
      passwordHash,
      totpSecret: encryptSecret(ctx.config.secretKey, newTotpSecret()),
      stage: 'two-factor',
    };
    return perform(ctx, 'invitation.signup_start', async (tx) => {
      const locked = await usable(tx, token, now, true);
      await assertNoAccount(tx, locked.email);
      await saveDraft(tx, locked.id, draft);
      return {
        result: { sessionToken: null, projectId: locked.project_id },
        actor: invitee(locked.email),
        target: { type: 'invitation', id: locked.id, label: locked.email },
        projectId: locked.project_id,
        after: { stage: 'two-factor' },
      };
    });
  }
  return createInvitedUser(ctx, token, async () => ({
    name,
    passwordHash,
    totpSecret: null,
    step: null,
    codeHashes: [],
  }));
}

/** The key to enrol, as a QR code and as text; null when the sign-up is not at that step. */
export async function signupTwoFactorSetup(ctx: ActionContext, token: string): Promise<TotpSetup | null> {
  const found = await atStep(() => draftAt(ctx.db, token, ctx.clock.now(), 'two-factor'));
  if (!found) return null;
  const { row, draft } = found;
  const settings = await getSettings(ctx.db);
  const secret = decryptSecret(ctx.config.secretKey, draft.totpSecret);
  return totpSetup({ secret, account: row.email, issuer: settings.account_name });
}

/** The enrolment code proves the app holds the key; then the recovery codes are made, shown once. */
export async function confirmSignupTwoFactor(
  ctx: ActionContext,
  token: string,
  input: { code?: string },
): Promise<string[] | null> {
  const now = ctx.clock.now();
  return atStep(() =>
    perform(ctx, 'invitation.signup_two_factor', async (tx) => {
      const { row, draft } = await draftAt(tx, token, now, 'two-factor', true);
      const t = messages(row.language).errors;
      const code = (input.code ?? '').replace(/\s+/g, '');
      if (!/^\d{6}$/.test(code)) throw new ValidationError({ code: t.codeShape });
      const step = verifyTotp(decryptSecret(ctx.config.secretKey, draft.totpSecret), code, now, null);
      if (step === null) throw new ValidationError({ code: t.codeWrong });
      const codes = newRecoveryCodes();
      await saveDraft(tx, row.id, { ...draft, stage: 'codes', step, codeHashes: codes.map(codeHash) });
      return {
        result: codes,
        actor: invitee(row.email),
        target: { type: 'invitation', id: row.id, label: row.email },
        projectId: row.project_id,
        after: { stage: 'codes' },
      };
    }),
  );
}

/** New recovery codes for a sign-up whose codes page was left before they were saved. */
export async function renewSignupCodes(ctx: ActionContext, token: string): Promise<string[] | null> {
  return atStep(() =>
    perform(ctx, 'invitation.signup_codes_renewed', async (tx) => {
      const { row, draft } = await draftAt(tx, token, ctx.clock.now(), 'codes', true);
      const codes = newRecoveryCodes();
      await saveDraft(tx, row.id, { ...draft, codeHashes: codes.map(codeHash) });
      return {
        result: codes,
        actor: invitee(row.email),
        target: { type: 'invitation', id: row.id, label: row.email },
        projectId: row.project_id,
      };
    }),
  );
}

/** The last step: the codes are saved, so the person becomes an active user and is signed in. */
export async function finishSignup(ctx: ActionContext, token: string): Promise<SignupResult | null> {
  return atStep(() =>
    createInvitedUser(ctx, token, async (tx, now) => {
      // The draft as it is under the lock: codes renewed a moment ago are the ones saved.
      const { draft } = await draftAt(tx, token, now, 'codes', true);
      return {
        name: draft.name,
        passwordHash: draft.passwordHash,
        totpSecret: draft.totpSecret,
        step: draft.step ?? null,
        codeHashes: draft.codeHashes ?? [],
      };
    }),
  );
}
