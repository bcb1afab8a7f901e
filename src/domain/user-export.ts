import type { Db } from '../db/connect';
import { perform } from './audit';
import type { ActionContext } from './context';
import { ForbiddenError } from './errors';
import { type ExportFormat, exportLines, listParams, type UserListQuery } from './user-list';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A CSV cell: quoted, and neutralised when a spreadsheet would read it as a formula (OWASP).
 * The rows themselves are written by PostgreSQL with the same rule (user-list.ts, sqlCsvCell).
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

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
  const filter = listParams({ ...q, after: null, before: null, last: false, pos: 1 }).toString();
  await perform(ctx, { action: 'users.export', permission: 'users.export' }, async () => ({
    result: undefined,
    target: { type: 'users', id: filter || 'all', label: `${format.toUpperCase()} export` },
    projectId,
    after: { format, filter },
  }));
  const encoder = new TextEncoder();
  const batches = exportLines(searchDb, q, projectId, ctx.clock.now(), format);
  let first = true;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(format === 'csv' ? `${HEADER.map(csvCell).join(',')}\r\n` : '['));
    },
    async pull(controller) {
      let next: IteratorResult<string[]>;
      try {
        next = await batches.next();
      } catch (error) {
        // Fail the stream: the client sees an error, not a file that looks complete.
        console.error('user export failed', error);
        controller.error(error);
        return;
      }
      const { value, done } = next;
      if (done) {
        if (format === 'json') controller.enqueue(encoder.encode(first ? ']\n' : '\n]\n'));
        controller.close();
        return;
      }
      let chunk: string;
      if (format === 'csv') chunk = value.join('');
      else {
        chunk = `${first ? '\n' : ',\n'}${value.join(',\n')}`;
        first = false;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
