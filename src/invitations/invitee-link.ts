import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import type { AuditActor } from '../audit/write';
import { sha256 } from '../auth/tokens';
import type { ActionContext } from '../core/context';
import { DomainError } from '../core/errors';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import type { SignupDraft } from './signup-draft';
import { type InvitationState, invitationState } from './state';
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
export async function usable(db: Db, token: string, now: Date, lock = false) {
  const row = await rowByToken(db, token, lock);
  if (!row) throw new InvitationUnusable('unknown', 'en');
  const state = invitationState(row, now);
  if (state !== 'pending') throw new InvitationUnusable(state, row.language);
  if (await inviterRefusal(db, row, now)) throw new InvitationUnusable('invalid', row.language);
  return row;
}

async function view(db: Db, row: UsableInvitation): Promise<InvitationView> {
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

/** The invitee as an event's actor: not a user yet, named by the invited address. */
export const invitee = (email: string): AuditActor => ({ id: null, label: email });

/** The invitation row behind a usable link. */
export type UsableInvitation = Awaited<ReturnType<typeof usable>>;

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
