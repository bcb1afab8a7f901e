import { type Requirement, requirementOf } from '../../../src/web/guard';
import type { TestApp } from '../../helpers/app';

/** A route of the app: what it needs (its guard), and a pattern to find it from a path. */
export interface Route {
  method: string;
  path: string;
  key: string;
  requirement: Requirement | undefined;
  pattern: RegExp;
  params: string[];
}
/** Every route of the app, once per method and path; read by loadRoutes(). */
export const routes: Route[] = [];

/** The app's routes, the most specific pattern first. */
export function loadRoutes(app: TestApp['app']) {
  const seen = new Set<string>();
  for (const r of app.routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const pattern = new RegExp(
      `^${r.path.replace(/:\w+/g, '[^/]+').replace('*', '.*').replaceAll('.', '\\.')}$`,
    );
    routes.push({
      method: r.method,
      path: r.path,
      key,
      requirement: requirementOf(r.handler),
      pattern,
      params,
    });
  }
  // Prefer the most specific pattern when a path matches several (/users/new before /users/:id).
  routes.sort((a, b) => a.params.length - b.params.length || b.path.length - a.path.length);
}

export function routeOf(method: string, path: string): Route | undefined {
  return routes.find((r) => r.method === method && r.pattern.test(path));
}
