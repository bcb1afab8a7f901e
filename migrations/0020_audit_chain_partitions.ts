import { type Kysely, sql } from 'kysely';

// The audit chain in partitions (src/audit/chain.ts): one head row per partition instead of one
// for the whole account, so that concurrent writers lock different rows. Events written before
// keep partition 1, whose head (and its MAC) is the old single head; the other heads start empty.
// The partition count is fixed here: CHAIN_PARTITIONS in chain.ts must agree.

const PARTITIONS = 32;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_chain drop constraint if exists audit_chain_id_check`.execute(db);
  await sql`alter table audit_chain add constraint audit_chain_partition check (id between 1 and ${sql.lit(PARTITIONS)})`.execute(
    db,
  );
  await sql`insert into audit_chain (id, unchained_through)
    select p, 0 from generate_series(2, ${sql.lit(PARTITIONS)}) as p
    on conflict (id) do nothing`.execute(db);
  // A constant default: PostgreSQL records it without rewriting the table.
  await sql`alter table audit_events add column chain smallint not null default 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events drop column if exists chain`.execute(db);
  await sql`delete from audit_chain where id > 1`.execute(db);
  await sql`alter table audit_chain drop constraint if exists audit_chain_partition`.execute(db);
  await sql`alter table audit_chain add constraint audit_chain_id_check check (id = 1)`.execute(db);
}
