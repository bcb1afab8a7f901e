import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PGliteDialect } from 'kysely';
import { PostgresJSDialect } from 'kysely-postgres-js';
import postgres from 'postgres';
import { acquireDataDirLock } from './data-dir-lock';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  /**
   * For queries whose best plan depends on their values (the users list's search and filters):
   * always planned for the values given. `db` lets PostgreSQL reuse a generic plan, which saves
   * the 1-2 ms of planning that the session lookup and other fixed-shape queries would otherwise
   * pay on every request. With PGlite both are the same handle (it never keeps plans).
   */
  searchDb: Db;
  kind: 'pglite' | 'postgres';
  /**
   * What the job queue (src/jobs) connects through: its own small pool to the same PostgreSQL, or
   * the embedded database itself (one connection, shared with `db`).
   */
  queueConnection: { url: string } | { pglite: import('@electric-sql/pglite').PGlite };
  /**
   * LISTEN on a channel: `onNotify` gets each payload once its transaction has committed;
   * `onListen` runs at every (re)connection, after which nothing sent earlier can still arrive.
   * Returns what stops listening.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen: () => void,
  ): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const INT8 = 20;

/** Handles whose driver reads a query through a cursor (postgres.js); PGlite returns whole results. */
const streaming = new WeakSet<Db>();

export function canStream(db: Db): boolean {
  return streaming.has(db);
}

/**
 * `DATABASE_URL` selects PostgreSQL; otherwise PGlite keeps its files in `dataDir/pglite`
 * (`memory://` keeps them in memory, for tests). Both return int8 (counts, ids) as numbers.
 *
 * Kysely's PGlite dialect is used as shipped: its adapter declares a single connection, so
 * Kysely's runtime mutex lets one transaction hold it until commit (test/integration/database.test.ts).
 */
export async function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const open = (max: number, planCacheMode: 'auto' | 'force_custom_plan') =>
      new Kysely<Database>({
        dialect: new PostgresJSDialect({
          postgres: postgres(url, {
            max,
            onnotice: () => {},
            // random_page_cost 1.1: index lookups cost about what sequential reads do on SSDs; with
            // the default 4 the planner scans a million users to join a few thousand ids.
            connection: {
              plan_cache_mode: planCacheMode,
              random_page_cost: '1.1',
              application_name: 'gatehouse',
            },
            types: {
              bigint: {
                to: INT8,
                from: [INT8],
                serialize: (x: number) => String(x),
                parse: (x: string) => Number(x),
              },
            },
          }),
        }),
      });
    const db = open(10, 'auto');
    const listeners = new Set<postgres.Sql>();
    // A generic plan ignores the actual search term, so a rare term would get the plan of a common one.
    const searchDb = open(5, 'force_custom_plan');
    streaming.add(db).add(searchDb);
    return {
      db,
      searchDb,
      kind: 'postgres',
      queueConnection: { url },
      listen: async (channel, onNotify, onListen) => {
        // A connection of its own: postgres.js reconnects it and listens again by itself.
        const listener = postgres(url, { max: 1, onnotice: () => {} });
        await listener.listen(channel, onNotify, onListen);
        listeners.add(listener);
        return async () => {
          listeners.delete(listener);
          await listener.end({ timeout: 1 });
        };
      },
      close: async () => {
        await Promise.all([
          db.destroy(),
          searchDb.destroy(),
          ...[...listeners].map((l) => l.end({ timeout: 1 })),
        ]);
      },
    };
  }
  const inMemory = options.dataDir === 'memory://';
  let releaseLock = () => {};
  let dataDir = 'memory://';
  if (!inMemory) {
    mkdirSync(options.dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(options.dataDir);
    dataDir = join(options.dataDir, 'pglite');
  }
  try {
    // Loaded only when used: a server on PostgreSQL does not carry the embedded database's modules.
    const [{ PGlite }, { citext }, { pg_trgm }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/citext'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
    ]);
    const pglite = await PGlite.create({
      dataDir,
      extensions: { citext, pg_trgm },
      parsers: { [INT8]: (x: string) => Number(x) },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
    return {
      db,
      searchDb: db,
      kind: 'pglite',
      queueConnection: { pglite },
      listen: async (channel, onNotify, onListen) => {
        const stop = await pglite.listen(channel, onNotify);
        onListen();
        return stop;
      },
      close: async () => {
        await db.destroy();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
