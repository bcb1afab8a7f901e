import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ApiDeps } from '../api/auth';
import { type ScimEnv, scimAuth, scimRateLimit } from './auth';
import { scimBody, scimBodyLimit } from './body';
import { scimError, scimErrorOf } from './errors';
import { groupRoutes } from './group-routes';
import { scimJson } from './json';
import { listOf, resourceTypes, schemaDocuments, serviceProviderConfig } from './schemas';
import { userRoutes } from './user-routes';

/**
 * The SCIM 2.0 service provider (RFC 7643, RFC 7644) at /scim/v2, inside the machine interface
 * (src/api/app.ts mounts it): a company directory (Okta, Entra ID…) provisions people as Users
 * and pushes teams as Groups, with a service account's API token that holds directory.provision.
 * Every endpoint needs that token, discovery included. Every answer, refusals included, is
 * application/scim+json; every change is a domain function of users.ts or groups.ts.
 */
export function scimApp(deps: ApiDeps) {
  const app = new Hono<ScimEnv>({ strict: false });
  const base = `${deps.config.publicUrl}/scim/v2`;
  const logError = deps.logError ?? ((message, error) => console.error(message, error));

  app.use(scimBodyLimit);
  app.use(scimAuth(deps));
  app.use(scimRateLimit(deps.config.apiRatePerMinute));
  app.use(scimBody);

  app.get('/ServiceProviderConfig', (c) => scimJson(c, 200, serviceProviderConfig(base)));
  app.get('/ResourceTypes', (c) => scimJson(c, 200, listOf(resourceTypes(base))));
  app.get('/ResourceTypes/:id', (c) => {
    const found = resourceTypes(base).find((r) => r.id.toLowerCase() === c.req.param('id').toLowerCase());
    return found ? scimJson(c, 200, found) : scimError(c, 404, null, 'There is no such resource type.');
  });
  app.get('/Schemas', (c) => scimJson(c, 200, listOf(schemaDocuments(base))));
  app.get('/Schemas/:id', (c) => {
    const found = schemaDocuments(base).find((s) => s.id.toLowerCase() === c.req.param('id').toLowerCase());
    return found ? scimJson(c, 200, found) : scimError(c, 404, null, 'There is no such schema.');
  });

  userRoutes(app, deps, base);
  groupRoutes(app, deps, base);

  app.all('*', (c) => scimError(c, 404, null, `No such SCIM endpoint: ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    const known = scimErrorOf(error);
    if (known) {
      if (known.retryAfter !== undefined) c.header('Retry-After', String(Math.ceil(known.retryAfter)));
      return scimError(c, known.status, known.scimType, known.detail);
    }
    if (error instanceof HTTPException && error.status < 500)
      return scimError(
        c,
        error.status,
        null,
        error.message || 'The request is not one this endpoint understands.',
      );
    logError(`scim ${c.req.method} ${c.req.path} failed`, error);
    return scimError(c, 500, null, 'Something went wrong on our side; nothing was changed.');
  });
  return app;
}
