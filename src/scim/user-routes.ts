import type { Hono } from 'hono';
import type { ApiDeps } from '../api/auth';
import type { ScimEnv } from './auth';
import { normaliseOperations, USER_DIALECT } from './dialects';
import { scimError } from './errors';
import { scimJson } from './json';
import { readListQuery, readProjection } from './list';
import { applyPatch } from './patch';
import { USER_SCHEMA } from './schemas';
import { listUserResources, patchableUser, readUserResource, userInputOf } from './user-resource';
import { provisionUser, removeDirectoryUser, updateDirectoryUser } from './users';

/** /Users: list (GET, POST /.search), read, create, replace, patch, remove. */
export function userRoutes(app: Hono<ScimEnv>, deps: ApiDeps, base: string) {
  const urn = USER_SCHEMA.toLowerCase();
  const projectionOf = (query: Record<string, string>) =>
    readProjection(query.attributes, query.excludedAttributes, urn);

  app.get('/Users', async (c) =>
    scimJson(c, 200, await listUserResources(deps.db, readListQuery(c.req.query(), urn), base)),
  );
  app.post('/Users/.search', async (c) =>
    scimJson(c, 200, await listUserResources(deps.db, readListQuery(c.get('body'), urn), base)),
  );
  app.get('/Users/:id', async (c) =>
    scimJson(c, 200, await readUserResource(deps.db, c.req.param('id'), base, projectionOf(c.req.query()))),
  );

  app.post('/Users', async (c) => {
    const { id } = await provisionUser(c.get('ctx'), userInputOf(c.get('body')));
    const resource = await readUserResource(deps.db, id, base, projectionOf(c.req.query()));
    return scimJson(c, 201, resource, { Location: `${base}/Users/${id}` });
  });

  app.put('/Users/:id', async (c) => {
    const id = c.req.param('id');
    const input = userInputOf(c.get('body'));
    await updateDirectoryUser(c.get('ctx'), id, () => input);
    return scimJson(c, 200, await readUserResource(deps.db, id, base, projectionOf(c.req.query())));
  });

  app.patch('/Users/:id', async (c) => {
    const id = c.req.param('id');
    const operations = normaliseOperations(c.get('body'), USER_DIALECT);
    await updateDirectoryUser(c.get('ctx'), id, (row) =>
      userInputOf(applyPatch(patchableUser(row), operations), { patched: true }),
    );
    return scimJson(c, 200, await readUserResource(deps.db, id, base, projectionOf(c.req.query())));
  });

  app.delete('/Users/:id', async (c) => {
    await removeDirectoryUser(c.get('ctx'), c.req.param('id'));
    return c.body(null, 204);
  });

  app.on(['PUT', 'PATCH', 'DELETE'], '/Users', (c) =>
    scimError(c, 405, null, `${c.req.method} takes a User's id: /Users/{id}.`),
  );
}
