import { type Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { ListStatus, listAnnouncement, rangeText } from '../../views/components/pagination';
import type { AppDeps, AppEnv } from '../web/env';
import { guard, type SignedInEnv } from '../web/guard';
import { renderRefusal } from '../web/refusal';
import { isHtmx, renderFragment, renderPage, renderStatusPage } from '../web/render';
import { actionContext, viewerScope } from '../web/session';
import { listCall } from './call';
import { type List, type ListCall, type ListPage, type ListQuery, listPage } from './definition';
import { EXPORT_FORMATS, exportList } from './export';
import type { Filters } from './filters';

/** What a list's views are given. */
export interface ListViewProps<Q, Row> {
  q: Q;
  page: ListPage<Row>;
  viewer: { permissions: ReadonlySet<string>; now: Date };
  /** Rendered for an htmx update rather than inside the whole page. */
  fragment?: boolean;
}

/** A list's pages: the part an update replaces, and the whole page around it. */
export interface ListView<Q, Row, Extra = undefined> {
  /** The id of the element that updates replace (htmx names it in HX-Target). */
  target: string;
  title(q: Q): string;
  /** Given the choices too: the chips name the chosen values, the selection bar offers roles. */
  Results: FC<ListViewProps<Q, Row> & { extra: Extra }>;
  Page: FC<ListViewProps<Q, Row> & { extra: Extra }>;
}

/**
 * A list's routes, mounted on its area's prefix (`/name`): the page (`/name`), the htmx fragment
 * of the same URL (the results and the announcement, rendered in the viewer's time zone like the
 * page), and the exports (`/name/export.csv`, `.json`). `load` gets the filters' choices, which the
 * toolbar and the chips name.
 */
export function listRoutes<F extends Filters, K extends string, Row, X extends object, S, Extra = undefined>(
  deps: AppDeps,
  list: List<F, K, Row, X, S>,
  view: ListView<ListQuery<F, K>, Row, Extra>,
  /** `fragment`: only what the results need (the chips' names), not the page's charts. */
  load?: (
    c: Context<SignedInEnv>,
    q: ListQuery<F, K>,
    call: ListCall<F>,
    fragment: boolean,
  ) => Promise<Extra>,
) {
  const app = new Hono<AppEnv>();
  const callOf = (c: Context<SignedInEnv>): ListCall<F> =>
    listCall(list, {
      db: deps.db,
      searchDb: deps.searchDb,
      now: deps.clock.now(),
      timeZone: c.get('timeZone'),
      projectId: c.var.user.projectId,
      permissions: c.var.user.permissions,
      scopeOf: (permission) => viewerScope(c, permission),
      passwords: c.var.session?.passwords,
    });
  const queryOf = (c: Context) => list.parse(new URL(c.req.url).searchParams);

  app.get('/', guard(deps, { permission: list.permission }), async (c) => {
    const q = queryOf(c);
    const call = callOf(c);
    // htmx 4 names the target as tag#id.
    const fragment = isHtmx(c) && (c.req.header('HX-Target')?.endsWith(`#${view.target}`) ?? false);
    const [page, extra] = await Promise.all([
      listPage(list, call, q),
      (load ? load(c, q, call, fragment) : undefined) as Promise<Extra>,
    ]);
    const props = { q, page, viewer: { permissions: c.var.user.permissions, now: call.now }, extra };
    if (fragment) {
      return renderFragment(
        c,
        <>
          <view.Results {...props} fragment />
          <ListStatus text={listAnnouncement(list.order(q), rangeText(page, list.noun))} />
        </>,
      );
    }
    return renderPage(c, { title: view.title(q), body: <view.Page {...props} /> });
  });

  for (const format of EXPORT_FORMATS) {
    app.get(`/export.${format}`, guard(deps, { permission: list.export.permission }), async (c) => {
      let body: ReadableStream<Uint8Array>;
      try {
        body = await exportList(list, actionContext(c, deps), callOf(c), queryOf(c), format);
      } catch (error) {
        return renderRefusal(c, error, () => renderStatusPage(c, 403));
      }
      return new Response(body, {
        headers: {
          'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
          'Content-Disposition': `attachment; filename="${list.name}-${deps.clock.now().toISOString().slice(0, 10)}.${format}"`,
          'Cache-Control': 'no-store',
        },
      });
    });
  }
  return app;
}
