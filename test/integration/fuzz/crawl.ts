import { PUBLIC_URL, type TestApp } from '../../helpers/app';
import { type Actor, actors } from './actors';
import { pathOf, poolFor } from './pools';
import { type Route, routeOf, routes } from './routes';
import { QUERY_NAMES } from './values';

// What the pages offer: their forms' fields and values, and the queries of their links.

/** Field names of each route's forms, from the crawl. */
export const formFieldsOf = new Map<string, Set<string>>();
/** Fields sent more than once in one form (checkbox groups). */
export const listFields = new Set<string>();
/** Values the pages offered for each field and query parameter: the realistic ones. */
export const seenValues = new Map<string, Set<string>>();
export const seenQueryNames = new Set<string>(QUERY_NAMES);
/** The query strings of the links to each GET route (sorts, filters, real cursors of Next and Last). */
export const linksOf = new Map<string, Set<string>>();

const remember = (name: string, value: string) => {
  if (value.length > 2000) return;
  const values = seenValues.get(name) ?? new Set<string>();
  seenValues.set(name, values);
  if (values.size < 40) values.add(value);
};

const decode = (s: string) =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

const attributes = (tag: string) => {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([a-zA-Z_:-][\w:.-]*)(?:="([^"]*)")?/g))
    out.set(m[1] as string, decode(m[2] ?? ''));
  return out;
};

/** The forms and links of a page: each form's fields under its route, each link's query. */
function harvest(html: string, pagePath: string) {
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = attributes(form[1] as string);
    const method = (attrs.get('method') ?? 'get').toUpperCase();
    const target = attrs.get('hx-post') || attrs.get('action') || pagePath;
    const url = new URL(target, PUBLIC_URL);
    const route = routeOf(attrs.has('hx-post') ? 'POST' : method, url.pathname);
    const counts = new Map<string, number>();
    const inner = form[2] as string;
    for (const select of inner.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
      const name = attributes(select[1] as string).get('name');
      if (!name) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      for (const option of (select[2] as string).matchAll(/<option\b([^>]*)>/gi))
        remember(name, attributes(option[1] as string).get('value') ?? '');
    }
    for (const field of inner.matchAll(/<(input|textarea|button)\b([^>]*)>/gi)) {
      const a = attributes(field[2] as string);
      const name = a.get('name');
      if (!name) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (a.has('value')) remember(name, a.get('value') as string);
    }
    for (const [name, n] of counts) if (n > 1 && name !== 'csrf') listFields.add(name);
    if (method === 'GET' && !attrs.has('hx-post')) for (const name of counts.keys()) seenQueryNames.add(name);
    if (route) {
      const names = formFieldsOf.get(route.key) ?? new Set<string>();
      formFieldsOf.set(route.key, names);
      for (const name of counts.keys()) names.add(name);
    }
  }
  for (const link of html.matchAll(/(?:href|hx-get)="([^"]*)"/g)) {
    const url = new URL(decode(link[1] as string), PUBLIC_URL);
    for (const [name, value] of url.searchParams) {
      seenQueryNames.add(name);
      remember(name, value);
    }
    const route = url.search ? routeOf('GET', url.pathname) : undefined;
    if (route) {
      const searches = linksOf.get(route.key) ?? new Set<string>();
      linksOf.set(route.key, searches);
      if (searches.size < 80) searches.add(url.search);
    }
  }
}

/**
 * The crawl: every GET page with each real id, as the admin, anonymously (the public pages)
 * and half signed in (the code step); the team member pages with real members.
 */
export async function crawl(t: TestApp) {
  const members = await t.db.selectFrom('team_members').select(['team_id', 'user_id']).execute();
  const lists = ['per=10', 'per=10&sort=-last_login', 'per=10&sort=created', 'per=10&page=last'].flatMap(
    (q) =>
      ['users', 'invitations', 'audit'].map((list) => ({
        route: routeOf('GET', `/${list}`) as Route,
        path: `/${list}?${q}`,
      })),
  );
  const pages = routes
    .filter((r) => r.method === 'GET')
    .flatMap((route) => {
      if (route.params.includes('userId'))
        return members.map((m) => ({
          route,
          path: route.path.replace(':id', m.team_id).replace(':userId', m.user_id),
        }));
      const ids = route.params.length === 1 ? poolFor(route, route.params[0] as string).slice(0, 12) : [];
      return ids.length > 0
        ? ids.map((id) => ({ route, path: route.path.replace(/:\w+/, id) }))
        : [{ route, path: pathOf(route, false) }];
    });
  for (const { route, path } of [...pages, ...lists]) {
    for (const who of ['admin', 'anonymous', 'pending'] as const) {
      if (who === 'pending' && route.requirement !== 'second-factor') continue;
      const response = await (actors.get(who) as Actor).client.get(path);
      if ((response.headers.get('content-type') ?? '').includes('text/html'))
        harvest(await response.text(), route.path);
    }
  }
}
