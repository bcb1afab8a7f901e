import { type Kysely, sql } from 'kysely';

// Bulk actions on the users selected in the list run as long actions too: a job does each
// person through the action's own domain function and reports them, so the request only starts it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table long_actions drop constraint long_actions_kind_check`.execute(db);
  await sql`
    alter table long_actions add constraint long_actions_kind_check
      check (kind in ('reset_all_passwords', 'bulk_users'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from long_actions where kind = 'bulk_users'`.execute(db);
  await sql`alter table long_actions drop constraint long_actions_kind_check`.execute(db);
  await sql`
    alter table long_actions add constraint long_actions_kind_check
      check (kind in ('reset_all_passwords'))`.execute(db);
}
