import type { Hono } from 'hono';
import type { ApiDeps } from '../api/auth';
import type { ScimEnv } from './auth';
import { GROUP_DIALECT, normaliseOperations } from './dialects';
import { scimError } from './errors';
import { groupInputOf, listGroupResources, patchableGroup, readGroupResource } from './group-resource';
import { createDirectoryTeam, deleteDirectoryTeam, updateDirectoryTeam } from './groups';
import { scimJson } from './json';
import { readListQuery, readProjection } from './list';
import { applyPatch } from './patch';
import { GROUP_SCHEMA } from './schemas';

/**
 * /Groups: list (GET, POST /.search), read, create, replace, patch, delete. A PATCH answers 204
 * without a body, as Entra ID recommends and Okta accepts (a group's members can be many).
 */
export function groupRoutes(app: Hono<ScimEnv>, deps: ApiDeps, base: string) {
  const urn = GROUP_SCHEMA.toLowerCase();
  const projectionOf = (query: Record<string, string>) =>
    readProjection(query.attributes, query.excludedAttributes, urn);

  app.get('/Groups', async (c) =>
    scimJson(c, 200, await listGroupResources(deps.db, readListQuery(c.req.query(), urn), base)),
  );
  app.post('/Groups/.search', async (c) =>
    scimJson(c, 200, await listGroupResources(deps.db, readListQuery(c.get('body'), urn), base)),
  );
  app.get('/Groups/:id', async (c) =>
    scimJson(c, 200, await readGroupResource(deps.db, c.req.param('id'), base, projectionOf(c.req.query()))),
  );

  app.post('/Groups', async (c) => {
    const id = await createDirectoryTeam(c.get('ctx'), groupInputOf(c.get('body')));
    const resource = await readGroupResource(deps.db, id, base, projectionOf(c.req.query()));
    return scimJson(c, 201, resource, { Location: `${base}/Groups/${id}` });
  });

  app.put('/Groups/:id', async (c) => {
    const id = c.req.param('id');
    const input = groupInputOf(c.get('body'));
    await updateDirectoryTeam(c.get('ctx'), id, () => input);
    return scimJson(c, 200, await readGroupResource(deps.db, id, base, projectionOf(c.req.query())));
  });

  app.patch('/Groups/:id', async (c) => {
    const operations = normaliseOperations(c.get('body'), GROUP_DIALECT);
    await updateDirectoryTeam(c.get('ctx'), c.req.param('id'), (current) =>
      groupInputOf(applyPatch(patchableGroup(current), operations), { patched: true }),
    );
    return c.body(null, 204);
  });

  app.delete('/Groups/:id', async (c) => {
    await deleteDirectoryTeam(c.get('ctx'), c.req.param('id'));
    return c.body(null, 204);
  });

  app.on(['PUT', 'PATCH', 'DELETE'], '/Groups', (c) =>
    scimError(c, 405, null, `${c.req.method} takes a Group's id: /Groups/{id}.`),
  );
}
