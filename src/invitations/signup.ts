import { sql } from 'kysely';
import { getSettings } from '../account/read-settings';
import { type AuditActor, perform, userActor } from '../audit/perform';
import { describePasswordIssue, hashPassword, passwordIssue } from '../auth/passwords/hashing';
import { createSession } from '../auth/sessions/sessions';
import { sha256 } from '../auth/tokens';
import { hashRecoveryCode, newRecoveryCodes } from '../auth/two-factor/recovery-codes';
import { decryptSecret, encryptSecret } from '../auth/two-factor/secret-box';
import { newTotpSecret, type TotpSetup, totpSetup, verifyTotp } from '../auth/two-factor/totp';
import type { ActionContext } from '../core/context';
import { ConflictError, DomainError, ValidationError } from '../core/errors';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import { messages } from '../i18n/messages';
import { type InvitationState, invitationState } from './invitations';
import { inviterRefusal } from './validity';

/**
 * The invitee's side of an invitation (`/invite/<token>`): look, decline, or accept, as an
 * existing user or by signing up (name and password, then TOTP enrolment and recovery codes when
 * the account requires two-factor authentication). The sign-up is kept on the invitation until
 * it is finished; only then does the person become a user.
 */

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Why a link cannot be used, in the invitation's language when it is known. */
export class InvitationUnusable extends DomainError {
  override name = 'InvitationUnusable';
  constructor(
    readonly state: Exclude<InvitationState, 'pending'> | 'unknown' | 'invalid',
    readonly language: Language,
  ) {
    super(`invitation ${state}`);
  }
}

/** A sign-up in progress, stored in invitations.signup. The TOTP key is encrypted. */
interface SignupDraft {
  name: string;
  passwordHash: string;
  totpSecret: string;
  stage: 'two-factor' | 'codes';
  step?: number;
  codeHashes?: string[];
}

export interface InvitationView {
  id: string;
  email: string;
  language: Language;
  inviter: string | null;
  accountName: string;
  projectId: string;
  projectName: string;
  roleName: string;
  expiresAt: Date;
  hasAccount: boolean;
  stage: 'none' | SignupDraft['stage'];
  requireTwoFactor: boolean;
  passwordMinLength: number;
}

async function rowByToken(db: Db, token: string, lock: boolean) {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  let query = db.selectFrom('invitations').selectAll().where('token_hash', '=', sha256(token));
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/**
 * The invitation behind a usable link; InvitationUnusable says why a link is not. An inviter
 * who could no longer grant the role (deactivated, or without the right in the project) makes it
 * invalid: checked on every use, so also at the moment of acceptance, in its transaction.
 */
async function usable(db: Db, token: string, now: Date, lock = false) {
  const row = await rowByToken(db, token, lock);
  if (!row) throw new InvitationUnusable('unknown', 'en');
  const state = invitationState(row, now);
  if (state !== 'pending') throw new InvitationUnusable(state, row.language);
  if (await inviterRefusal(db, row, now)) throw new InvitationUnusable('invalid', row.language);
  return row;
}

async function view(db: Db, row: Awaited<ReturnType<typeof usable>>): Promise<InvitationView> {
  const [project, settings, user] = await Promise.all([
    db.selectFrom('projects').select('name').where('id', '=', row.project_id).executeTakeFirstOrThrow(),
    getSettings(db),
    db.selectFrom('users').select('id').where('email', '=', row.email).executeTakeFirst(),
  ]);
  const draft = row.signup as SignupDraft | null;
  return {
    id: row.id,
    email: row.email,
    language: row.language,
    inviter: row.hide_inviter ? null : row.invited_by_label,
    accountName: settings.account_name,
    projectId: row.project_id,
    projectName: project.name,
    roleName: row.role_name,
    expiresAt: row.expires_at,
    hasAccount: user !== undefined,
    stage: draft?.stage ?? 'none',
    requireTwoFactor: settings.require_two_factor,
    passwordMinLength: settings.password_min_length,
  };
}

const invitee = (email: string): AuditActor => ({ id: null, label: email });

/** What the link offers; the first look is recorded as "opened". */
export async function openInvitation(ctx: ActionContext, token: string): Promise<InvitationView> {
  const row = await usable(ctx.db, token, ctx.clock.now());
  if (!row.opened_at) {
    await perform(ctx, 'invitation.open', async (tx) => {
      await tx
        .updateTable('invitations')
        .set({ opened_at: ctx.clock.now() })
        .where('id', '=', row.id)
        .where('opened_at', 'is', null)
        .execute();
      return {
        result: undefined,
        actor: invitee(row.email),
        target: { type: 'invitation', id: row.id, label: row.email },
        projectId: row.project_id,
      };
    });
  }
  return view(ctx.db, row);
}

/** The invitation behind a usable link, without recording anything. */
export async function describeInvitation(db: Db, token: string, now: Date): Promise<InvitationView> {
  return view(db, await usable(db, token, now));
}

export async function declineInvitation(
  ctx: ActionContext,
  token: string,
): Promise<{ language: Language; accountName: string }> {
  return perform(ctx, 'invitation.decline', async (tx) => {
    const row = await usable(tx, token, ctx.clock.now(), true);
    await tx
      .updateTable('invitations')
      .set({ declined_at: ctx.clock.now(), signup: null })
      .where('id', '=', row.id)
      .execute();
    const settings = await getSettings(tx);
    return {
      result: { language: row.language, accountName: settings.account_name },
      actor: invitee(row.email),
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      after: { state: 'declined' },
    };
  });
}

/** Binds the person to the invited role in the project and marks the invitation accepted. */
async function complete(tx: Db, row: Awaited<ReturnType<typeof usable>>, userId: string, now: Date) {
  if (!row.role_id)
    throw new ConflictError('The role of this invitation no longer exists. Ask for a new invitation.');
  const existing = await tx
    .selectFrom('role_bindings')
    .select('id')
    .where('user_id', '=', userId)
    .where('role_id', '=', row.role_id)
    .where('project_id', '=', row.project_id)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
  if (!existing) {
    await tx
      .insertInto('role_bindings')
      .values({
        user_id: userId,
        role_id: row.role_id,
        project_id: row.project_id,
        created_at: now,
        created_by: row.invited_by,
      })
      .execute();
  }
  await tx
    .updateTable('invitations')
    .set({ accepted_at: now, accepted_user_id: userId, signup: null })
    .where('id', '=', row.id)
    .execute();
}

/** An existing user, signed in with the invited address, accepts: the binding is added. */
export async function acceptAsSignedInUser(
  ctx: ActionContext,
  token: string,
): Promise<{ projectId: string }> {
  const { actor } = ctx;
  if (actor.kind !== 'user') throw new ConflictError('Sign in first.');
  return perform(ctx, 'invitation.accept', async (tx) => {
    const now = ctx.clock.now();
    const row = await usable(tx, token, now, true);
    if (row.email.toLowerCase() !== actor.email.toLowerCase()) {
      throw new ConflictError(messages(row.language).otherPersonSignedIn(row.email));
    }
    await complete(tx, row, actor.id, now);
    await tx
      .updateTable('users')
      .set({ email_verified_at: now })
      .where('id', '=', actor.id)
      .where('email_verified_at', 'is', null)
      .execute();
    return {
      result: { projectId: row.project_id },
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      after: { as: 'existing', userId: actor.id, role: row.role_name },
    };
  });
}

export interface SignupResult {
  /** Set when the person is now a signed-in user. */
  sessionToken: string | null;
  projectId: string;
}

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
  return convert(ctx, token, async () => ({
    name,
    passwordHash,
    totpSecret: null,
    step: null,
    codeHashes: [],
  }));
}

async function assertNoAccount(tx: Db, email: string) {
  const user = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (user) throw new ConflictError('An account with this email already exists; sign in to accept instead.');
}

/** The sign-up is not at the step asked for (a page left open, a form sent twice). */
class NotAtThisStep extends DomainError {}

/**
 * The invitation and its sign-up at `stage`, read inside the caller's transaction (locked when
 * it writes), so a step always acts on the draft it has just checked. Refused with NotAtThisStep,
 * which rolls the step back and writes no audit event.
 */
async function draftAt(db: Db, token: string, now: Date, stage: SignupDraft['stage'], lock = false) {
  const row = await usable(db, token, now, lock);
  const draft = row.signup as SignupDraft | null;
  if (!draft || draft.stage !== stage) throw new NotAtThisStep(stage);
  return { row, draft };
}

/** A step's result, or null when the sign-up is elsewhere and the page should send them there. */
async function atStep<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof NotAtThisStep) return null;
    throw error;
  }
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

const codeHash = (code: string) => Buffer.from(hashRecoveryCode(code)).toString('base64');

/** Sent as text and cast, as audit.ts does: the two drivers would type a bare object differently. */
async function saveDraft(tx: Db, id: string, draft: SignupDraft) {
  await tx
    .updateTable('invitations')
    .set({ signup: sql`cast(${JSON.stringify(draft)} as text)::jsonb` })
    .where('id', '=', id)
    .execute();
}

/** The last step: the codes are saved, so the person becomes an active user and is signed in. */
export async function finishSignup(ctx: ActionContext, token: string): Promise<SignupResult | null> {
  return atStep(() =>
    convert(ctx, token, async (tx, now) => {
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

/**
 * One transaction: the invitation is used, the user exists (active, email verified, with the
 * invited role in the project, its TOTP key and recovery codes), and a session is open.
 */
interface NewUser {
  name: string;
  passwordHash: string;
  totpSecret: string | null;
  step: number | null;
  codeHashes: string[];
}

async function convert(
  ctx: ActionContext,
  token: string,
  whoFrom: (tx: Db, now: Date) => Promise<NewUser>,
): Promise<SignupResult> {
  const now = ctx.clock.now();
  return perform(ctx, 'invitation.accept', async (tx) => {
    const row = await usable(tx, token, now, true);
    const who = await whoFrom(tx, now);
    await assertNoAccount(tx, row.email);
    const user = await tx
      .insertInto('users')
      .values({
        email: row.email,
        name: who.name,
        language: row.language,
        password_hash: who.passwordHash,
        password_changed_at: now,
        totp_secret: who.totpSecret,
        totp_last_step: who.step,
        email_verified_at: now,
        created_at: now,
        created_by: row.invited_by,
      })
      .returning(['id', 'email'])
      .executeTakeFirstOrThrow();
    if (who.codeHashes.length > 0) {
      await tx
        .insertInto('recovery_codes')
        .values(
          who.codeHashes.map((h) => ({
            user_id: user.id,
            code_hash: new Uint8Array(Buffer.from(h, 'base64')),
            created_at: now,
          })),
        )
        .execute();
    }
    await complete(tx, row, user.id, now);
    const settings = await getSettings(tx);
    const sessionToken = await createSession(tx, {
      userId: user.id,
      now,
      settings,
      ip: ctx.meta.ip,
      userAgent: ctx.meta.userAgent,
      projectId: row.project_id,
      twoFactorVerified: who.totpSecret !== null,
    });
    await tx.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();
    return {
      result: { sessionToken, projectId: row.project_id },
      actor: userActor(user),
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      after: { as: 'new', userId: user.id, role: row.role_name, twoFactor: who.totpSecret !== null },
    };
  });
}
