import type { ActionContext } from '../core/context';
import { ForbiddenError } from '../core/errors';
import type { List, ListCall, ListQuery } from './definition';
import { csvLine, type ExportFormat, exportStream } from './export-stream';
import type { Filters } from './filters';
import { everyPage, FIRST_PAGE } from './paging';

export const EXPORT_FORMATS = ['csv', 'json'] as const satisfies readonly ExportFormat[];

/** Rows a batch of an export reads, through the list's own paging. */
const BATCH = 100;

/** A cell of a CSV line: empty for null, JSON for objects (before/after values). */
const cellText = (value: unknown) =>
  value === null || value === undefined
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/**
 * Every row the filters match (not one page), as CSV or JSON, streamed in batches so that a
 * large list never sits in memory. The export is audited first, with its filter; what the
 * record returns (the audit log's newest event) bounds the rows, so the file is the list as it
 * stood when it was asked for.
 */
export async function exportList<F extends Filters, K extends string, Row, X extends object, S>(
  list: List<F, K, Row, X, S>,
  ctx: ActionContext,
  call: ListCall<F>,
  q: ListQuery<F, K>,
  format: ExportFormat,
): Promise<ReadableStream<Uint8Array>> {
  // An export shows the list: it needs the right to see it as well as the right to export it.
  if (ctx.actor.kind === 'user' && !ctx.actor.permissions.has(list.permission))
    throw new ForbiddenError(list.permission);
  const filter = list.exportFilter(q).toString();
  const spec = list.export;
  const snapshot = await spec.record(
    ctx,
    {
      result: undefined,
      target: { type: list.name, id: filter || 'all', label: `${format.toUpperCase()} export` },
      after: { format, filter },
    },
    call,
  );
  const full = { ...call, ...((await list.prepare?.(call, q)) as X) };
  if ('lines' in spec) return exportStream(format, spec.header, spec.lines(full, q, format), list.name);
  const columns = Object.entries(spec.columns);
  const pages = everyPage(async (after) => {
    const walk = await list.rows(full, { ...q, ...FIRST_PAGE, per: BATCH, after }, { snapshot });
    return { rows: walk.rows, more: walk.more, last: walk.last };
  });
  async function* lines(): AsyncGenerator<string[]> {
    for await (const batch of pages) {
      yield batch.map((row) => {
        const record = Object.fromEntries(columns.map(([name, value]) => [name, value(row)]));
        return format === 'csv' ? csvLine(Object.values(record).map(cellText)) : JSON.stringify(record);
      });
    }
  }
  return exportStream(format, Object.keys(spec.columns), lines(), list.name);
}
