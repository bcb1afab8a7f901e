import { sql } from 'kysely';
import type { Db } from '../db/connect';

/**
 * The next free send slot across every instance (one row, `mail_send_slots`), `perSecond` slots
 * a second: a provider's rate limit counts the whole account, not one process. Returns how long
 * to wait before sending.
 */
export async function takeSendSlot(db: Db, perSecond: number): Promise<number> {
  const gapMs = Math.max(1, Math.round(1000 / perSecond));
  const row = await sql<{ wait_ms: number }>`
    update mail_send_slots
       set next_at = greatest(next_at, clock_timestamp()) + make_interval(secs => ${gapMs / 1000})
     where id = 1
     returning greatest(0, extract(epoch from (next_at - make_interval(secs => ${gapMs / 1000}) - clock_timestamp())) * 1000)::float8 as wait_ms`.execute(
    db,
  );
  return Math.ceil(Number(row.rows[0]?.wait_ms ?? 0));
}
