import { grantsOf, permissionsEverywhere, projectIds } from '../access/grants';
import type { Db } from '../db/connect';
import { domainOf, type ProviderRow } from './lookup';

/** The enabled provider that requires its people to sign in through it, for this address. */
export async function requiredSsoFor(db: Db, email: string): Promise<ProviderRow | null> {
  const row = await db
    .selectFrom('sso_domains as d')
    .innerJoin('identity_providers as p', 'p.id', 'd.provider_id')
    .selectAll('p')
    .where('d.domain', '=', domainOf(email))
    .where('p.enabled', '=', true)
    .where('p.required', '=', true)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Break-glass: when the provider is down or misconfigured, someone must still get in to fix it.
 * Account Admins (account.settings in every project) keep their password where single sign-on is
 * required — with their second factor, and audited (sso.break_glass) — as Okta's and GitHub's
 * owners do. A password reset stays open to them for the same reason.
 */
export async function mayBreakGlass(db: Db, userId: string, now: Date): Promise<boolean> {
  const grants = await grantsOf(db, userId, now);
  return permissionsEverywhere(grants, await projectIds(db)).has('account.settings');
}
