import { passwordEpoch } from '../auth/passwords/reset-epoch';
import type { ActionContext } from '../core/context';
import { ValidationError } from '../core/errors';
import { userList } from './list';
import { matchingUsers } from './list-query';

/**
 * Every user the list's filters match, for "Select all N matching": the filters arrive as the
 * list's own query string and are read by the list's own parser, so that the action covers
 * exactly what the list showed. The ids are taken once, in name order, when the preview is shown
 * and again when the action starts (whoever matches then). Beyond BULK_ALL_MAX the request is
 * refused rather than cut: acting on "all" must mean all.
 */
export const BULK_ALL_MAX = 10_000;

export async function matchingIds(
  ctx: Pick<ActionContext, 'db' | 'clock'>,
  projectId: string,
  filter: string,
): Promise<string[]> {
  const q = userList.parse(new URLSearchParams(filter));
  const call = {
    db: ctx.db,
    now: ctx.clock.now(),
    timeZone: 'UTC',
    projectId,
    scope: { all: true } as const,
    filters: userList.filters,
  };
  const rows = await matchingUsers(call, q, 'gather', await passwordEpoch(ctx.db))
    .select('u.id')
    .orderBy('u.name')
    .orderBy('u.id')
    .limit(BULK_ALL_MAX + 1)
    .execute();
  if (rows.length === 0) throw new ValidationError({ ids: 'No users match these filters any more.' });
  if (rows.length > BULK_ALL_MAX) {
    throw new ValidationError({
      ids: `More than ${BULK_ALL_MAX.toLocaleString('en-US')} users match: narrow the filters to act on all of them.`,
    });
  }
  return rows.map((r) => r.id);
}
