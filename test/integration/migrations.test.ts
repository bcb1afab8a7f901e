import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { FileMigrationProvider, Migrator, NO_MIGRATIONS } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connect';
import { migrateToLatest, migrationFolder } from '../../src/db/migrate';
import { databaseKind, testDatabase } from '../helpers/database';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const tables = async () =>
  (
    await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely_%' order by 1`.execute(database.db)
  ).rows.map((r) => r.name);

describe(`migrations (${databaseKind})`, () => {
  it('go all the way down and up again', async () => {
    expect(await tables()).toContain('users');
    const migrator = new Migrator({
      db: database.db,
      provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(await tables()).toEqual([]);
    const files = (await fs.readdir(migrationFolder)).map((f) => f.replace(/\.ts$/, '')).sort();
    expect(await migrateToLatest(database.db)).toEqual(files);
    expect(await tables()).toEqual([
      'access_decision_counts',
      'account_settings',
      'api_idempotency',
      'api_tokens',
      'applications',
      'audit_chain',
      'audit_events',
      'identity_providers',
      'invitations',
      'long_action_items',
      'long_actions',
      'mail_messages',
      'mail_send_slots',
      'oidc_payloads',
      'oidc_signing_keys',
      'one_time_tokens',
      'projects',
      'rate_limits',
      'recovery_codes',
      'refusal_counts',
      'role_bindings',
      'roles',
      'sessions',
      'setup_link',
      'sign_in_failures',
      'sso_domains',
      'sso_group_teams',
      'sso_requests',
      'sso_used_assertions',
      'team_members',
      'teams',
      'user_identities',
      'users',
      'webhook_events',
    ]);
  });
});
