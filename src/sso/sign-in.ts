import { assertAccountManagerRemains, lockAccount } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { userActor, userTarget } from '../audit/write';
import { createSession, deleteSession } from '../auth/sessions/sessions';
import type { ActionContext } from '../core/context';
import type { Db } from '../db/connect';
import { revokeUngrantableInvitations } from '../invitations/validity';
import type { SsoIdentity } from './identity';
import { domainOf, type ProviderRow } from './lookup';

export type SsoSignInResult =
  | { ok: true; token: string; userId: string; needsCode: boolean; mustEnrol: boolean }
  | { ok: false; message: string };

type Person = {
  id: string;
  email: string;
  name: string;
  deactivated_at: Date | null;
  access_expires_at: Date | null;
  service_account: boolean;
  totp_secret: string | null;
  must_enrol_two_factor: boolean;
};

const PERSON = [
  'id',
  'email',
  'name',
  'deactivated_at',
  'access_expires_at',
  'service_account',
  'totp_secret',
  'must_enrol_two_factor',
] as const;

/** Why this person may not come in, for the audit trail and (plainly) for them; null: they may. */
function refusalOf(user: Person, now: Date): { reason: string; message: string } | null {
  if (user.service_account)
    return { reason: 'service account', message: 'This is a service account: it cannot sign in.' };
  if (user.deactivated_at)
    return {
      reason: 'deactivated',
      message: 'Your Gatehouse account is deactivated. Ask your administrator.',
    };
  if (user.access_expires_at && user.access_expires_at <= now)
    return { reason: 'access expired', message: 'Your access has ended. Ask your administrator.' };
  return null;
}

/** The account the identity is: linked by the provider's subject, else found by its address. */
async function findPerson(tx: Db, provider: ProviderRow, identity: SsoIdentity): Promise<Person | undefined> {
  const linked = await tx
    .selectFrom('user_identities as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(PERSON.map((c) => `u.${c}` as const))
    .where('i.provider_id', '=', provider.id)
    .where('i.subject', '=', identity.subject)
    .forUpdate()
    .executeTakeFirst();
  if (linked) return linked;
  return tx
    .selectFrom('users')
    .select(PERSON)
    .where('email', '=', identity.email)
    .forUpdate()
    .executeTakeFirst();
}

/** Just in time: the account a first sign-in creates, bound to the provider's default role. */
async function createPerson(
  tx: Db,
  provider: ProviderRow,
  identity: SsoIdentity,
  now: Date,
): Promise<Person> {
  const user = await tx
    .insertInto('users')
    .values({
      email: identity.email,
      name: (identity.name ?? identity.email.slice(0, identity.email.indexOf('@'))).slice(0, 100),
      source: 'sso',
      created_at: now,
      // The provider vouched for the address: it is as verified as an accepted invitation's.
      email_verified_at: now,
    })
    .returning(PERSON)
    .executeTakeFirstOrThrow();
  if (provider.jit_role_id && provider.jit_project_id)
    await tx
      .insertInto('role_bindings')
      .values({
        user_id: user.id,
        role_id: provider.jit_role_id,
        project_id: provider.jit_project_id,
        created_at: now,
      })
      .execute();
  return user;
}

export interface MembershipPlan {
  add: Array<{ teamId: string; name: string }>;
  remove: Array<{ teamId: string; name: string }>;
}

/**
 * The provider's groups as team memberships: a mapped group asserted → a member (unless already
 * one, by hand or from the directory); a membership this provider added earlier whose group is
 * no longer asserted → removed. Memberships added by hand, by the directory or by another
 * provider are left alone, and directory teams are the directory's, never a mapping's.
 */
export async function membershipPlan(
  db: Db,
  provider: ProviderRow,
  userId: string | null,
  groups: readonly string[],
): Promise<MembershipPlan> {
  const asserted = new Set(groups.map((g) => g.toLowerCase()));
  const mappings = await db
    .selectFrom('sso_group_teams as g')
    .innerJoin('teams as t', 't.id', 'g.team_id')
    .select(['g.group_name', 't.id', 't.name', 't.source'])
    .where('g.provider_id', '=', provider.id)
    .execute();
  const wanted = new Map(
    mappings
      .filter((m) => m.source !== 'scim' && asserted.has(m.group_name.toLowerCase()))
      .map((m) => [m.id, m.name]),
  );
  const current = userId
    ? await db
        .selectFrom('team_members as m')
        .innerJoin('teams as t', 't.id', 'm.team_id')
        .select(['m.team_id', 't.name', 'm.source', 'm.source_provider_id'])
        .where('m.user_id', '=', userId)
        .execute()
    : [];
  const member = new Set(current.map((m) => m.team_id));
  return {
    add: [...wanted].filter(([id]) => !member.has(id)).map(([teamId, name]) => ({ teamId, name })),
    remove: current
      .filter((m) => m.source === 'sso' && m.source_provider_id === provider.id && !wanted.has(m.team_id))
      .map((m) => ({ teamId: m.team_id, name: m.name })),
  };
}

/**
 * A sign-in through an identity provider whose answer was verified (oidc-client.ts, saml.ts):
 * the person is found by the provider's subject or their address (which must be in a domain the
 * provider claims), or created just in time when the provider allows it; their group memberships
 * from this provider are reconciled; a session is opened. The provider's asserted second factor
 * counts as Gatehouse's (the session is 2FA-verified); otherwise someone with an authenticator
 * still gives its code, and "require 2FA" still asks for enrolment. One transaction, one audit
 * event (refusals too).
 */
export async function signInWithSso(
  ctx: ActionContext,
  input: { provider: ProviderRow; identity: SsoIdentity; previousSessionId: string | null },
): Promise<SsoSignInResult> {
  const { provider, identity } = input;
  const now = ctx.clock.now();
  const method = provider.kind;
  return perform<SsoSignInResult>(ctx, 'sso.sign_in', async (tx) => {
    const refuse = (reason: string, message: string, user?: Person) => ({
      result: { ok: false as const, message },
      outcome: 'failed' as const,
      actor: user ? userActor(user) : { id: null, label: identity.email },
      target: user ? userTarget(user) : null,
      projectId: null,
      reason,
      after: { provider: provider.name, method },
    });
    const claimed = await tx
      .selectFrom('sso_domains')
      .select('domain')
      .where('domain', '=', domainOf(identity.email))
      .where('provider_id', '=', provider.id)
      .executeTakeFirst();
    // A provider speaks only for its own domains: it cannot sign anyone else in.
    if (!claimed || !provider.enabled)
      return refuse(
        provider.enabled ? 'address outside the provider’s domains' : 'provider disabled',
        `${provider.name} cannot sign in ${identity.email}.`,
      );
    let user = await findPerson(tx, provider, identity);
    let created = false;
    if (!user) {
      if (!provider.jit)
        return refuse(
          'no account',
          `There is no Gatehouse account for ${identity.email}. Ask your administrator for an invitation.`,
        );
      user = await createPerson(tx, provider, identity, now);
      created = true;
    }
    const refusal = refusalOf(user, now);
    if (refusal) return refuse(refusal.reason, refusal.message, user);

    await tx
      .insertInto('user_identities')
      .values({ provider_id: provider.id, subject: identity.subject, user_id: user.id, last_sign_in_at: now })
      .onConflict((oc) => oc.columns(['provider_id', 'subject']).doUpdateSet({ last_sign_in_at: now }))
      .execute();

    const plan = await membershipPlan(tx, provider, user.id, identity.groups);
    if (plan.add.length > 0)
      await tx
        .insertInto('team_members')
        .values(
          plan.add.map((t) => ({
            team_id: t.teamId,
            user_id: (user as Person).id,
            source: 'sso' as const,
            source_provider_id: provider.id,
          })),
        )
        .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
        .execute();
    if (plan.remove.length > 0) {
      // Losing a team can take the last account manager's rights, or an inviter's right to the
      // invitations they sent: the same checks as any removal, in the same order.
      await lockAccount(tx);
      await tx
        .deleteFrom('team_members')
        .where('user_id', '=', user.id)
        .where(
          'team_id',
          'in',
          plan.remove.map((t) => t.teamId),
        )
        .execute();
      await assertAccountManagerRemains(tx);
      await revokeUngrantableInvitations(tx, ctx);
    }

    const settings = await getSettings(tx);
    const needsCode = user.totp_secret !== null && !identity.mfa;
    const mustEnrol =
      !identity.mfa &&
      user.totp_secret === null &&
      (settings.require_two_factor || user.must_enrol_two_factor);
    if (input.previousSessionId) await deleteSession(tx, input.previousSessionId);
    const token = await createSession(tx, {
      userId: user.id,
      now,
      settings,
      ip: ctx.meta.ip,
      userAgent: ctx.meta.userAgent,
      authenticated: !needsCode,
      twoFactorVerified: identity.mfa,
    });
    if (!needsCode)
      await tx.updateTable('users').set({ last_login_at: now }).where('id', '=', user.id).execute();
    return {
      result: { ok: true, token, userId: user.id, needsCode, mustEnrol },
      actor: userActor(user),
      target: userTarget(user),
      projectId: null,
      after: {
        provider: provider.name,
        method,
        providerMfa: identity.mfa,
        ...(needsCode ? { secondFactor: 'pending' } : {}),
        ...(created ? { accountCreated: true, role: provider.jit_role_id ? 'default role' : null } : {}),
        ...(plan.add.length ? { teamsJoined: plan.add.map((t) => t.name) } : {}),
        ...(plan.remove.length ? { teamsLeft: plan.remove.map((t) => t.name) } : {}),
      },
    };
  });
}
