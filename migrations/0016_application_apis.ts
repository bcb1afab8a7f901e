import { type Kysely, sql } from 'kysely';

// The APIs an application's access tokens may be for (RFC 8707 resource indicators): asked with
// `resource`, the token is a JWT for that API (RFC 9068) carrying the person's access claims.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table applications add column api_resources text[] not null default '{}'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table applications drop column api_resources`.execute(db);
}
