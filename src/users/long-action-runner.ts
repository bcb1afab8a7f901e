import type { ActionContext } from '../core/context';
import { runBulkAction } from './bulk-run';
import { runResetAll } from './reset-all';

/**
 * The `long-action` job: runs the action its row names. A job that fails is retried by pg-boss
 * with backoff and goes on where the last one stopped; after its last try the action is marked
 * failed with the error, so that its page says so instead of showing it running for ever.
 */
export async function runLongAction(
  system: Pick<ActionContext, 'db' | 'clock' | 'config' | 'jobs' | 'meta'>,
  job: { id: string; data: Record<string, unknown>; retryCount: number; retryLimit: number },
): Promise<void> {
  const actionId = String(job.data.id ?? '');
  const row = await system.db
    .selectFrom('long_actions')
    .select('kind')
    .where('id', '=', actionId)
    .executeTakeFirst();
  if (!row) return;
  try {
    if (row.kind === 'bulk_users') await runBulkAction(system, { actionId, jobId: job.id });
    else await runResetAll(system, { actionId, jobId: job.id });
  } catch (error) {
    if (job.retryCount >= job.retryLimit) {
      const now = system.clock.now();
      await system.db
        .updateTable('long_actions')
        .set({ state: 'failed', error: (error as Error).message, finished_at: now, updated_at: now })
        .where('id', '=', actionId)
        .where('state', '=', 'running')
        .where('runner_job', '=', job.id)
        .execute();
    }
    throw error;
  }
}
