import { createHash } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { effectiveAccess } from '../access/effective-access';
import { NotFoundError } from '../core/errors';
import { listPage } from '../lists/definition';
import { createUser } from '../users/create';
import { editUser, userEditState } from '../users/edit';
import { deactivateUser, deleteUser, reactivateUser } from '../users/lifecycle';
import { userList } from '../users/list';
import { resetPassword, resetTwoFactor, unlockUser } from '../users/security';
import { userStatus } from '../users/status';
import { type ApiDeps, type ApiEnv, apiContext, projectOf } from './auth';
import { problemResponses, projectQuery } from './operation';
import { problem, problemOf } from './problems';

/*
 * /api/v1/users: the console's users list (the same list definition: search, filters, sort and
 * keyset paging) and every change through the console's domain functions. Updates need If-Match
 * with the ETag a read returned (a stale write gets 412).
 */

const User = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    status: z.string().openapi({ example: 'Active' }),
    roles: z.array(z.string()).openapi({ description: 'Role names in the project asked about' }),
    teams: z.array(z.string()),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User', {
    example: {
      id: '6f1c7d0e-8a6b-4c1e-9a0e-1c2d3e4f5a6b',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      status: 'Active',
      roles: ['Editor'],
      teams: ['Research'],
      lastLoginAt: '2026-11-30T09:12:00.000Z',
      createdAt: '2026-01-05T10:00:00.000Z',
    },
  });

const UserDetail = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    language: z.string(),
    status: z.string(),
    serviceAccount: z.boolean(),
    accessUntil: z.string().openapi({ description: 'Last day of access (YYYY-MM-DD), or empty' }),
    roleId: z.string().openapi({ description: 'Their own role in the project, empty for none, or "keep"' }),
    teamIds: z.array(z.string()),
    twoFactor: z.boolean(),
    lastLoginAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('UserDetail');

const UserPage = z
  .object({
    data: z.array(User),
    total: z.object({ value: z.number().int(), exact: z.boolean() }),
    next: z.string().nullable().openapi({ description: 'Query string of the next page, or null' }),
    previous: z.string().nullable(),
  })
  .openapi('UserPage');

const idParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const listQuery = projectQuery.extend({
  q: z.string().max(200).optional().openapi({ description: 'Search in names and emails' }),
  tab: z.enum(['users', 'deactivated']).optional(),
  role: z.union([z.uuid(), z.array(z.uuid())]).optional(),
  status: z.union([z.string(), z.array(z.string())]).optional(),
  team: z.uuid().optional(),
  access: z.string().optional(),
  inactive: z.string().optional().openapi({ description: 'Not signed in for this many days' }),
  sort: z.string().optional().openapi({ example: '-created' }),
  per: z.enum(['10', '25', '50', '100']).optional(),
  after: z.string().optional(),
  before: z.string().optional(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const etagOf = (value: unknown) =>
  `"${createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 27)}"`;

/** The user as the API shows one, and the ETag of what an update may change. */
async function detail(deps: ApiDeps, id: string, projectId: string) {
  const { values } = await userEditState(deps.db, id, projectId);
  const row = await deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  // Deleted meanwhile (after the change this answer follows, even).
  if (!row) throw new NotFoundError('There is no such user.');
  const now = deps.clock.now();
  const body = {
    id: row.id,
    name: row.name,
    email: row.email,
    language: row.language,
    status: userStatus(row, now),
    serviceAccount: row.service_account,
    accessUntil: values.until,
    roleId: values.roleId,
    teamIds: values.teamIds,
    twoFactor: row.totp_secret !== null,
    lastLoginAt: iso(row.last_login_at),
    createdAt: row.created_at.toISOString(),
  };
  return { body, values, etag: etagOf([values, row.deactivated_at]) };
}

export function userApiRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps) {
  /** Runs a call in the project asked for, and turns the domain's refusals into problems. */
  const inProject = async (c: Context<ApiEnv>, run: (projectId: string) => Promise<Response>) => {
    const projectId = await projectOf(c, deps);
    if (!projectId) return problem(c, 404, 'not-found', 'There is no such project.');
    try {
      return await run(projectId);
    } catch (error) {
      const answer = problemOf(c, error);
      if (answer) return answer;
      throw error;
    }
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      operationId: 'listUsers',
      summary: 'List users (the console’s list: search, filters, sort, keyset paging)',
      request: { query: listQuery },
      responses: {
        200: { description: 'One page', content: { 'application/json': { schema: UserPage } } },
        ...problemResponses(401, 403, 404, 429),
      },
    }),
    (c) =>
      // The domain's refusals are problems, not the typed answers: the handler returns a Response.
      inProject(c, async (projectId) => {
        const ctx = await apiContext(c, deps, projectId);
        if (ctx.actor.kind !== 'user' || !ctx.actor.permissions.has('users.view'))
          return problem(c, 403, 'forbidden', 'This needs the permission users.view.');
        const params = new URL(c.req.url).searchParams;
        const q = userList.parse(params);
        const page = await listPage(
          userList,
          {
            db: deps.searchDb ?? deps.db,
            now: deps.clock.now(),
            timeZone: 'UTC',
            projectId,
            // The users list is not scoped by project (userList.scope 'all'), as in the console.
            scope: { all: true },
            filters: userList.filters,
          },
          q,
        );
        const link = (paging: { after?: string; before?: string }) => {
          const p = userList.write(q, paging);
          if (c.req.query('project')) p.set('project', c.req.query('project') as string);
          return p.toString();
        };
        return c.json(
          {
            data: page.rows.map((u) => ({
              id: u.id,
              name: u.name,
              email: u.email,
              status: u.status,
              roles: u.roles,
              teams: u.teams,
              lastLoginAt: iso(u.lastLoginAt),
              createdAt: u.createdAt.toISOString(),
            })),
            total: { value: page.total.value, exact: page.total.exact },
            next: page.hasNext && page.last ? link({ after: page.last }) : null,
            previous: page.hasPrevious && page.first ? link({ before: page.first }) : null,
          },
          200,
        );
      }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}',
      operationId: 'getUser',
      summary: 'One user, with the ETag an update needs',
      request: { params: idParam, query: projectQuery },
      responses: {
        200: { description: 'The user', content: { 'application/json': { schema: UserDetail } } },
        ...problemResponses(401, 403, 404),
      },
    }),
    (c) =>
      // The domain's refusals are problems, not the typed answers: the handler returns a Response.
      inProject(c, async (projectId) => {
        const ctx = await apiContext(c, deps, projectId);
        if (ctx.actor.kind !== 'user' || !ctx.actor.permissions.has('users.view'))
          return problem(c, 403, 'forbidden', 'This needs the permission users.view.');
        const { body, etag } = await detail(deps, c.req.valid('param').id, projectId);
        c.header('ETag', etag);
        return c.json(body, 200);
      }) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      operationId: 'createUser',
      summary: 'Create a user with a role in the project; they get a link to set their password',
      request: {
        query: projectQuery,
        body: {
          content: {
            'application/json': {
              schema: z.object({ name: z.string(), email: z.string(), roleId: z.uuid() }).openapi('NewUser', {
                example: {
                  name: 'Grace Hopper',
                  email: 'grace@example.com',
                  roleId: '00000000-0000-4000-8000-000000000000',
                },
              }),
            },
          },
        },
      },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: UserDetail } } },
        ...problemResponses(401, 403, 409, 422),
      },
    }),
    (c) =>
      // The domain's refusals are problems, not the typed answers: the handler returns a Response.
      inProject(c, async (projectId) => {
        const input = c.req.valid('json');
        const created = await createUser(await apiContext(c, deps, projectId), projectId, input);
        const { body, etag } = await detail(deps, created.userId, projectId);
        c.header('ETag', etag);
        c.header('Location', `/api/v1/users/${created.userId}`);
        return c.json(body, 201);
      }) as never,
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/users/{id}',
      operationId: 'updateUser',
      summary: 'Change name, language, access end, role in the project, teams (If-Match required)',
      request: {
        params: idParam,
        query: projectQuery,
        headers: z.object({ 'if-match': z.string().optional() }),
        body: {
          content: {
            'application/json': {
              schema: z
                .object({
                  name: z.string().optional(),
                  language: z.string().optional(),
                  accessUntil: z.string().optional(),
                  roleId: z.string().optional(),
                  teamIds: z.array(z.string()).optional(),
                })
                .openapi('UserUpdate'),
            },
          },
        },
      },
      responses: {
        200: { description: 'Updated', content: { 'application/json': { schema: UserDetail } } },
        ...problemResponses(401, 403, 404, 412, 422, 428),
      },
    }),
    (c) =>
      // The domain's refusals are problems, not the typed answers: the handler returns a Response.
      inProject(c, async (projectId) => {
        const id = c.req.valid('param').id;
        // Refused before anything is read: a token that may not edit learns nothing of the user.
        const ctx = await apiContext(c, deps, projectId);
        if (ctx.actor.kind !== 'user' || !ctx.actor.permissions.has('users.manage'))
          return problem(c, 403, 'forbidden', 'This needs the permission users.manage.');
        const ifMatch = c.req.header('if-match');
        if (!ifMatch)
          return problem(c, 428, 'precondition-required', 'Send If-Match with the ETag of your last read.');
        const current = await detail(deps, id, projectId);
        if (ifMatch !== current.etag && ifMatch !== '*')
          return problem(c, 412, 'precondition-failed', 'The user changed since you read them: read again.');
        const input = c.req.valid('json');
        const v = current.values;
        await editUser(ctx, id, projectId, {
          name: input.name ?? v.name,
          language: input.language ?? v.language,
          until: input.accessUntil ?? v.until,
          roleId: input.roleId ?? v.roleId,
          teamIds: input.teamIds ?? v.teamIds,
          // What was read: only the fields changed here change (another admin's edit survives).
          was: { until: v.until, roleId: v.roleId, teamIds: v.teamIds },
        });
        const { body, etag } = await detail(deps, id, projectId);
        c.header('ETag', etag);
        return c.json(body, 200);
      }) as never,
  );

  const action = (
    path: string,
    operationId: string,
    summary: string,
    run: (c: Context<ApiEnv>, id: string, projectId: string) => Promise<unknown>,
  ) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/users/{id}/${path}`,
        operationId,
        summary,
        request: { params: idParam, query: projectQuery },
        responses: {
          200: { description: 'Done', content: { 'application/json': { schema: UserDetail } } },
          ...problemResponses(401, 403, 404, 409, 422),
        },
      }),
      (c) =>
        inProject(c, async (projectId) => {
          const id = c.req.valid('param').id;
          await run(c, id, projectId);
          const { body, etag } = await detail(deps, id, projectId);
          c.header('ETag', etag);
          return c.json(body, 200);
        }) as never,
    );

  action('deactivate', 'deactivateUser', 'Deactivate: sessions and tokens stop at once', async (c, id, p) =>
    deactivateUser(await apiContext(c, deps, p), id),
  );
  action('reactivate', 'reactivateUser', 'Reactivate', async (c, id, p) =>
    reactivateUser(await apiContext(c, deps, p), id),
  );
  action('reset-password', 'resetPassword', 'Reset the password: a link is emailed', async (c, id, p) =>
    resetPassword(await apiContext(c, deps, p), id),
  );
  action('reset-two-factor', 'resetTwoFactor', 'Reset 2FA: they enrol again', async (c, id, p) =>
    resetTwoFactor(await apiContext(c, deps, p), id, { reason: 'API' }),
  );
  action('unlock', 'unlockUser', 'End every lock', async (c, id, p) =>
    unlockUser(await apiContext(c, deps, p), id, { reason: 'API' }),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/users/{id}',
      operationId: 'deleteUser',
      summary: 'Delete for good',
      request: { params: idParam, query: projectQuery },
      responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409) },
    }),
    (c) =>
      // The domain's refusals are problems, not the typed answers: the handler returns a Response.
      inProject(c, async (projectId) => {
        await deleteUser(await apiContext(c, deps, projectId), c.req.valid('param').id);
        return c.body(null, 204);
      }) as never,
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users/{id}/access',
      operationId: 'effectiveAccess',
      summary: 'Effective access: every permission in every project, and where it comes from',
      request: { params: idParam },
      responses: {
        200: {
          description: 'Per project',
          content: {
            'application/json': {
              schema: z
                .object({
                  projects: z.array(
                    z.object({
                      projectId: z.string(),
                      projectName: z.string(),
                      permissions: z.array(z.object({ key: z.string(), sources: z.array(z.string()) })),
                    }),
                  ),
                })
                .openapi('EffectiveAccess'),
            },
          },
        },
        ...problemResponses(401, 403, 404),
      },
    }),
    (c) =>
      // The domain's refusals are problems, not the typed answers: the handler returns a Response.
      inProject(c, async (projectId) => {
        const ctx = await apiContext(c, deps, projectId);
        if (ctx.actor.kind !== 'user' || !ctx.actor.permissions.has('users.view'))
          return problem(c, 403, 'forbidden', 'This needs the permission users.view.');
        const found = await effectiveAccess(deps.db, c.req.valid('param').id, deps.clock.now(), ctx.actor.id);
        return c.json(
          {
            projects: found.projects.map((p) => ({
              projectId: p.projectId,
              projectName: p.projectName,
              permissions: p.permissions.map((k) => ({ key: k.key, sources: k.sources.map((s) => s.label) })),
            })),
          },
          200,
        );
      }) as never,
  );
}
