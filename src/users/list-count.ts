import { sql } from 'kysely';
import { onChange } from '../core/changes';
import { cappedCount } from '../lists/count';
import { writeFilters } from '../lists/filters';
import type { ListTotal } from '../lists/paging';
import type { UserListQuery } from './list';
import { epochOf, matchingUsers, type UsersCall } from './list-query';

/**
 * The users list's count: capped, then estimated (lists/count.ts). The rows are counted as a
 * page walks them; the estimate EXPLAINs the gathering form, whose row count the planner knows
 * better. Each answer is kept for COUNT_TTL_MS per filter and project, so paging through one
 * result set counts once. App instances keep their own cache; a total a few seconds old is
 * acceptable, and a change made through this instance drops it.
 */
const COUNT_TTL_MS = 30_000;
const counts = new Map<string, { total: ListTotal; at: number }>();
/**
 * Counts under way: concurrent requests for one filter wait for the same count instead of each
 * running it (at a million users a count takes 80-130 ms, and a burst of 32 recounting at once
 * made the p99 of a search ten times its median).
 */
const counting = new Map<string, Promise<ListTotal>>();
/** Changes seen (forgetUserCounts): a count that began before one is not cached. */
let changes = 0;

export async function countUsers(call: UsersCall, q: UserListQuery): Promise<ListTotal> {
  const key = JSON.stringify([call.projectId, writeFilters(call.filters, q).toString()]);
  const cached = counts.get(key);
  if (cached && Date.now() - cached.at < COUNT_TTL_MS) return cached.total;
  const running = counting.get(key);
  if (running) return running;
  const count = (async () => {
    const passwords = await epochOf(call);
    return cappedCount(
      call.db,
      matchingUsers(call, q, 'walk', passwords).select(sql`1`.as('one')),
      matchingUsers(call, q, 'gather', passwords).select(sql`1`.as('one')),
    );
  })();
  counting.set(key, count);
  const generation = changes;
  try {
    const total = await count;
    // A change while counting: this answer may predate it, so it is not kept.
    if (generation === changes) {
      if (counts.size > 500) counts.clear();
      counts.set(key, { total, at: Date.now() });
    }
    return total;
  } finally {
    if (counting.get(key) === count) counting.delete(key);
  }
}

/** Tests and writes that change the user set drop cached totals. */
export function forgetUserCounts() {
  counts.clear();
  counting.clear();
  changes++;
}
onChange(forgetUserCounts);
