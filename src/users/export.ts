import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ForbiddenError } from '../core/errors';
import type { Db } from '../db/connect';
import { csvCell, type ExportFormat, exportStream } from '../lists/export-stream';
import { FIRST_PAGE } from '../lists/paging';
import { exportLines, listParams, type UserListQuery } from './list';

export { csvCell };

const HEADER = ['id', 'name', 'email', 'roles', 'status', 'teams', 'last_sign_in', 'created'];

/**
 * Every user matching the filters (not just one page), streamed in batches so a million rows
 * never sit in memory. The export itself is audited with the filter used.
 */
export async function exportUsers(
  ctx: ActionContext,
  q: UserListQuery,
  projectId: string,
  format: ExportFormat,
  /** Where the rows are read from (DatabaseHandle.searchDb); ctx.db when not given. */
  searchDb: Db = ctx.db,
): Promise<ReadableStream<Uint8Array>> {
  // Exporting shows the directory: it needs the right to see it as well as to export it.
  if (ctx.actor.kind === 'user' && !ctx.actor.permissions.has('users.view'))
    throw new ForbiddenError('users.view');
  const filter = listParams({ ...q, ...FIRST_PAGE }).toString();
  await perform(ctx, 'users.export', async () => ({
    result: undefined,
    target: { type: 'users', id: filter || 'all', label: `${format.toUpperCase()} export` },
    projectId,
    after: { format, filter },
  }));
  return exportStream(format, HEADER, exportLines(searchDb, q, projectId, ctx.clock.now(), format), 'user');
}
