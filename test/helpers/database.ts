import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const databaseKind = testDatabaseUrl ? 'postgres' : 'pglite';

/**
 * A fresh, migrated database for one test file: PGlite in memory, or a new database on the
 * PostgreSQL server named by TEST_DATABASE_URL (dropped again by close()).
 */
export async function testDatabase(): Promise<DatabaseHandle & { url: string | undefined }> {
  if (!testDatabaseUrl) {
    const handle = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(handle.db);
    return { ...handle, url: undefined };
  }
  const url = await createServerDatabase();
  const handle = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      await dropServerDatabase(url);
    },
  };
}

/** An empty database on the test server; its URL. */
export async function createServerDatabase(): Promise<string> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `gatehouse_test_${randomUUID().replaceAll('-', '')}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropServerDatabase(url: string): Promise<void> {
  if (!testDatabaseUrl) return;
  const name = new URL(url).pathname.slice(1);
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    // FORCE cannot end a backend of another role, such as an autovacuum worker that just started
    // on the database: it is gone a moment later. Cleanup is not what a test checks, so after a
    // few tries the throwaway database is left to the throwaway cluster, with a warning.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        return;
      } catch (error) {
        if (attempt >= 5) {
          console.warn(`could not drop test database ${name}: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
}
