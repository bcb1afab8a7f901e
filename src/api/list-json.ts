import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type List, type ListCall, listPage } from '../lists/definition';
import type { Filters } from '../lists/filters';
import type { ApiEnv } from './auth';

/** A time as the API writes it: ISO 8601 in UTC, or null. */
export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * One page of a console list as JSON: the list's own definition reads the URL's filters, sort
 * and keyset cursors, as the console's page does; `next` and `previous` are the query strings of
 * the neighbouring pages (keeping `project`).
 */
export async function listJson<F extends Filters, K extends string, Row, X extends object, S>(
  c: Context<ApiEnv>,
  list: List<F, K, Row, X, S>,
  call: ListCall<F>,
  toJson: (row: Row) => unknown,
) {
  const q = list.parse(new URL(c.req.url).searchParams);
  const page = await listPage(list, call, q);
  const link = (paging: { after?: string; before?: string }) => {
    const p = list.write(q, paging);
    const project = c.req.query('project');
    if (project) p.set('project', project);
    return p.toString();
  };
  return {
    data: page.rows.map(toJson),
    total: { value: page.total.value, exact: page.total.exact },
    next: page.hasNext && page.last ? link({ after: page.last }) : null,
    previous: page.hasPrevious && page.first ? link({ before: page.first }) : null,
  };
}

/** The OpenAPI schema of such a page. */
export const pageSchema = (name: string, row: z.ZodType) =>
  z
    .object({
      data: z.array(row),
      total: z.object({ value: z.number().int(), exact: z.boolean() }),
      next: z.string().nullable().openapi({ description: 'Query string of the next page, or null' }),
      previous: z.string().nullable(),
    })
    .openapi(name);
