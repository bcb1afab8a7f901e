import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_ROLES } from '../../src/access/permissions';
import type { DatabaseHandle } from '../../src/db/connect';
import { databaseKind, testDatabase } from '../helpers/database';

let database: DatabaseHandle;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

describe(`the first migration (${databaseKind})`, () => {
  it('seeds one project, the built-in roles and the account settings', async () => {
    const { db } = database;
    expect(await db.selectFrom('projects').select('name').execute()).toEqual([{ name: 'Default project' }]);
    const roles = await db.selectFrom('roles').select(['key', 'name']).orderBy('name').execute();
    expect(roles.map((r) => r.key).sort()).toEqual(BUILTIN_ROLES.map((r) => r.key).sort());
    const settings = await db.selectFrom('account_settings').selectAll().executeTakeFirstOrThrow();
    expect(settings).toMatchObject({
      require_two_factor: true,
      password_min_length: 12,
      session_idle_minutes: 30,
      session_absolute_hours: 12,
      invitation_lifetime_hours: 168,
      lockout_threshold: 10,
      lockout_minutes: 15,
    });
  });

  it('keeps emails unique ignoring case', async () => {
    const { db } = database;
    await db.insertInto('users').values({ email: 'Mixed.Case@Example.com', name: 'One' }).execute();
    await expect(
      db.insertInto('users').values({ email: 'mixed.case@example.COM', name: 'Two' }).execute(),
    ).rejects.toMatchObject({
      code: '23505',
    });
    const found = await db
      .selectFrom('users')
      .select('name')
      .where('email', '=', 'MIXED.CASE@EXAMPLE.COM')
      .execute();
    expect(found).toEqual([{ name: 'One' }]);
  });

  it('returns counts as numbers on both drivers', async () => {
    const row = await sql<{ n: unknown }>`select count(*) as n from roles`.execute(database.db);
    expect(row.rows[0]?.n).toBe(BUILTIN_ROLES.length);
  });
});

describe(`transactions (${databaseKind})`, () => {
  it('keep concurrent work apart: a rollback loses nothing of another transaction', async () => {
    const { db } = database;
    await sql`create table tx_probe (id int primary key)`.execute(db);
    const failing = db
      .transaction()
      .execute(async (tx) => {
        await tx
          .insertInto('tx_probe' as never)
          .values({ id: 1 } as never)
          .execute();
        await new Promise((resolve) => setTimeout(resolve, 30));
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    const committing = db.transaction().execute(async (tx) => {
      await tx
        .insertInto('tx_probe' as never)
        .values({ id: 2 } as never)
        .execute();
    });
    const outside = db
      .insertInto('tx_probe' as never)
      .values({ id: 3 } as never)
      .execute();
    expect(await failing).toBe('roll back');
    await Promise.all([committing, outside]);
    const ids = await sql<{ id: number }>`select id from tx_probe order by id`.execute(db);
    expect(ids.rows.map((r) => r.id)).toEqual([2, 3]);
  });

  it('report affected rows', async () => {
    const result = await database.db
      .updateTable('roles')
      .set({ description: 'x' })
      .where('key', 'in', ['viewer', 'editor'])
      .executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
  });
});
