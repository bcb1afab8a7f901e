import { type Compilable, type ControlledTransaction, type RawBuilder, sql } from 'kysely';
import { Semaphore } from '../auth/semaphore';
import type { Db } from '../db/connect';
import type { Database } from '../db/schema';

/**
 * Exports whose lines PostgreSQL writes: the server then only passes text on, instead of parsing
 * a dozen columns per row into objects and writing them out again (half the time and most of
 * the memory of a million-row users export).
 */

/** A CSV cell in SQL, as csvCell() makes it: quoted, and a formula-like start neutralised. */
export function sqlCsvCell(value: RawBuilder<string>) {
  return sql<string>`'"' || replace(case when left(${value}, 1) in ('=', '+', '-', '@', chr(9), chr(13))
      then '''' || ${value} else ${value} end, '"', '""') || '"'`;
}

/** A time as Date.prototype.toISOString() writes it. */
export const isoTime = (column: RawBuilder<unknown>) =>
  sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Exports reading at once per process; more wait their turn (the search pool has 5 connections). */
const exportSlots = new Semaphore(2);

/**
 * A query's `line` column through a server-side cursor, batch by batch, each fetched only when
 * the last one has gone out: postgres.js's own cursor let the heap grow past 250 MB on a million
 * rows. The read holds a connection for its whole length, so only a few run at once, and a
 * client that stops reading gives it back: PostgreSQL ends a transaction idle for a minute.
 * Sorting a million rows needs more than the default 4 MB of work_mem to stay in memory.
 */
export async function* cursorLines(
  db: Db,
  query: Compilable<{ line: string }>,
  batch: number,
): AsyncGenerator<string[]> {
  const release = await exportSlots.acquire();
  let tx: ControlledTransaction<Database>;
  try {
    tx = await db.startTransaction().setAccessMode('read only').execute();
  } catch (error) {
    release();
    throw error;
  }
  let committed = false;
  try {
    await sql`set local idle_in_transaction_session_timeout = '60s'`.execute(tx);
    await sql`set local statement_timeout = '120s'`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    await sql`declare export_rows no scroll cursor for ${query}`.execute(tx);
    for (;;) {
      const { rows } = await sql<{ line: string }>`fetch forward ${sql.lit(batch)} from export_rows`.execute(
        tx,
      );
      if (rows.length > 0) yield rows.map((r) => r.line);
      if (rows.length < batch) break;
    }
    await tx.commit().execute();
    committed = true;
  } finally {
    try {
      if (!committed) await tx.rollback().execute();
    } finally {
      release();
    }
  }
}
