import type { Selectable } from 'kysely';
import type { Db } from '../db/connect';
import type { IdentityProvidersTable } from '../db/schema';

export type ProviderRow = Selectable<IdentityProvidersTable>;

/** The part of an address after its last @, lower-cased: what a provider claims. */
export function domainOf(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
}

/** The enabled provider that claims the address's domain, if any: its people sign in there. */
export async function providerForEmail(db: Db, email: string): Promise<ProviderRow | null> {
  const domain = domainOf(email);
  if (!domain || !email.includes('@')) return null;
  const row = await db
    .selectFrom('sso_domains as d')
    .innerJoin('identity_providers as p', 'p.id', 'd.provider_id')
    .selectAll('p')
    .where('d.domain', '=', domain)
    .where('p.enabled', '=', true)
    .executeTakeFirst();
  return row ?? null;
}

export async function providerById(db: Db, id: string): Promise<ProviderRow | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return (
    (await db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
  );
}
