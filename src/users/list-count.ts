import { sql } from 'kysely';
import { passwordEpoch } from '../auth/passwords/reset-epoch';
import { onChange } from '../core/changes';
import { cappedCount } from '../lists/count';
import { writeFilters } from '../lists/filters';
import type { ListTotal } from '../lists/paging';
import type { UserListQuery } from './list';
import { matchingUsers, type UsersCall } from './list-query';

/**
 * The users list's count: capped, then estimated (lists/count.ts). The rows are counted as a
 * page walks them; the estimate EXPLAINs the gathering form, whose row count the planner knows
 * better. Each answer is kept for COUNT_TTL_MS per filter and project, so paging through one
 * result set counts once. App instances keep their own cache; a total a few seconds old is
 * acceptable, and a change made through this instance drops it.
 */
const COUNT_TTL_MS = 30_000;
const counts = new Map<string, { total: ListTotal; at: number }>();

export async function countUsers(call: UsersCall, q: UserListQuery): Promise<ListTotal> {
  const key = JSON.stringify([call.projectId, writeFilters(call.filters, q).toString()]);
  const cached = counts.get(key);
  if (cached && Date.now() - cached.at < COUNT_TTL_MS) return cached.total;
  const passwords = await passwordEpoch(call.db);
  const total = await cappedCount(
    call.db,
    matchingUsers(call, q, 'walk', passwords).select(sql`1`.as('one')),
    matchingUsers(call, q, 'gather', passwords).select(sql`1`.as('one')),
  );
  if (counts.size > 500) counts.clear();
  counts.set(key, { total, at: Date.now() });
  return total;
}

/** Tests and writes that change the user set drop cached totals. */
export function forgetUserCounts() {
  counts.clear();
}
onChange(forgetUserCounts);
