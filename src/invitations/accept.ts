import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { userActor } from '../audit/write';
import { createSession } from '../auth/sessions/sessions';
import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';
import type { Db } from '../db/connect';
import { messages } from '../i18n/messages';
import { type UsableInvitation, usable } from './invitee-link';

/** Binds the person to the invited role in the project and marks the invitation accepted. */
async function complete(tx: Db, row: UsableInvitation, userId: string, now: Date) {
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

export async function assertNoAccount(tx: Db, email: string) {
  const user = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (user) throw new ConflictError('An account with this email already exists; sign in to accept instead.');
}

/** Who signs up: what the sign-up steps gathered. */
interface NewUser {
  name: string;
  passwordHash: string;
  totpSecret: string | null;
  step: number | null;
  codeHashes: string[];
}

/**
 * One transaction: the invitation is used, the user exists (active, email verified, with the
 * invited role in the project, its TOTP key and recovery codes), and a session is open.
 */
export async function createInvitedUser(
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
