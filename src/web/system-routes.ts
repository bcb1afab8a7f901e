import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppDeps, AppEnv } from './env';
import { guard } from './guard';

const require = createRequire(import.meta.url);
const htmxPath = require.resolve('htmx.org/dist/htmx.min.js');
const publicRoot = fileURLToPath(new URL('../../public', import.meta.url));
const ASSET_CACHE = 'public, max-age=3600';

/** Liveness, readiness and static files: public, and answered without a session. */
export function systemRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/healthz', guard(deps, 'public'), (c) => c.text('ok'));

  app.get('/readyz', guard(deps, 'public'), async (c) => {
    try {
      await sql`select 1`.execute(deps.db);
      return c.text('ready');
    } catch (error) {
      (deps.logError ?? console.error)('readiness check failed', error);
      return c.text('database unavailable', 503);
    }
  });

  let htmx: Promise<string> | undefined;
  app.get('/assets/htmx.min.js', guard(deps, 'public'), async (c) => {
    htmx ??= readFile(htmxPath, 'utf8');
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', ASSET_CACHE);
    return c.body(await htmx);
  });

  app.get(
    '/public/*',
    guard(deps, 'public'),
    async (c, next) => {
      await next();
      if (c.res.ok) c.res.headers.set('Cache-Control', ASSET_CACHE);
    },
    serveStatic({ root: publicRoot, rewriteRequestPath: (path) => path.replace(/^\/public/, '') }),
  );

  return app;
}
