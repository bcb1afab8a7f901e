import { z } from 'zod';
import { NotFoundError } from '../core/errors';
import type { Db } from '../db/connect';
import { csvLine } from '../lists/export-stream';
import { bulkTitle } from './bulk-run';

/** Report lines shown on the page; the CSV has them all. */
const SHOWN = 200;

export interface LongActionProgress {
  id: string;
  kind: 'reset_all_passwords' | 'bulk_users';
  /** What its page is called: "Reset all passwords", or the bulk action's name ("Deactivate"). */
  title: string;
  state: 'running' | 'done' | 'failed';
  total: number;
  done: number;
  skipped: number;
  failed: number;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  /** Why it stopped, when it failed after its job's last try. */
  error: string | null;
  /** The skipped and failed users, and why (the first SHOWN). */
  exceptions: Array<{ email: string; outcome: 'skipped' | 'failed'; reason: string | null }>;
}

/** Where a long action of this kind stands, for its page and its polling fragment. */
export async function longActionProgress(
  db: Db,
  kind: LongActionProgress['kind'],
  id: string,
): Promise<LongActionProgress> {
  const action = z.uuid().safeParse(id).success
    ? await db
        .selectFrom('long_actions')
        .selectAll()
        .where('id', '=', id)
        .where('kind', '=', kind)
        .executeTakeFirst()
    : undefined;
  if (!action) throw new NotFoundError('There is no such action.');
  const exceptions = await db
    .selectFrom('long_action_items')
    .select(['email', 'outcome', 'reason'])
    .where('action_id', '=', id)
    .where('outcome', '<>', 'done')
    .orderBy('outcome')
    .orderBy('email')
    .limit(SHOWN)
    .execute();
  return {
    id: action.id,
    kind: action.kind,
    title: action.kind === 'bulk_users' ? bulkTitle(action.params) : 'Reset all passwords',
    state: action.state,
    total: action.total,
    done: action.done,
    skipped: action.skipped,
    failed: action.failed,
    startedBy: action.actor_label,
    startedAt: action.created_at,
    finishedAt: action.finished_at,
    error: action.error,
    exceptions: exceptions as LongActionProgress['exceptions'],
  };
}

/** The latest run of a kind, so that a page can point to one still running. */
export async function runningLongAction(db: Db, kind: LongActionProgress['kind']): Promise<string | null> {
  const row = await db
    .selectFrom('long_actions')
    .select('id')
    .where('kind', '=', kind)
    .where('state', '=', 'running')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Every user's outcome, for the report's CSV: batches of lines, as exportStream takes them. */
export const REPORT_HEADER = ['user_id', 'email', 'outcome', 'reason'] as const;

export async function* longActionReport(db: Db, id: string): AsyncGenerator<string[]> {
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('long_action_items')
      .select(['user_id', 'email', 'outcome', 'reason'])
      .where('action_id', '=', id)
      .$if(after !== '', (q) => q.where('user_id', '>', after))
      .orderBy('user_id')
      .limit(5000)
      .execute();
    if (rows.length > 0) yield rows.map((r) => csvLine([r.user_id, r.email, r.outcome, r.reason ?? '']));
    const last = rows.at(-1);
    if (!last || rows.length < 5000) return;
    after = last.user_id;
  }
}
