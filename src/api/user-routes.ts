import { createHash } from 'node:crypto';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { effectiveAccess } from '../access/effective-access';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
import { createUser } from '../users/create';
import { editUser, userEditState } from '../users/edit';
import { deactivateUser, deleteUser, reactivateUser } from '../users/lifecycle';
import { userList } from '../users/list';
import { resetPassword, resetTwoFactor, unlockUser } from '../users/security';
import { userStatus } from '../users/status';
import type { ApiDeps, ApiEnv } from './auth';
import { iso, listJson, pageSchema } from './list-json';
import { idParam, operation } from './operation';
import { problem } from './problems';

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

const listQuery = z.object({
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
  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/users',
      operationId: 'listUsers',
      summary: 'List users (the console’s list: search, filters, sort, keyset paging)',
      needs: 'users.view',
      query: listQuery,
      response: pageSchema('UserPage', User),
      refusals: [422],
    },
    ({ c, projectId }) =>
      listJson(
        c,
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
        (u) => ({
          id: u.id,
          name: u.name,
          email: u.email,
          status: u.status,
          roles: u.roles,
          teams: u.teams,
          lastLoginAt: iso(u.lastLoginAt),
          createdAt: u.createdAt.toISOString(),
        }),
      ),
  );

  /** The user after a read or a change, with the ETag an update needs. */
  const answer = async (c: Context<ApiEnv>, id: string, projectId: string) => {
    const { body, etag } = await detail(deps, id, projectId);
    c.header('ETag', etag);
    return body;
  };

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/users/{id}',
      operationId: 'getUser',
      summary: 'One user, with the ETag an update needs',
      needs: 'users.view',
      params: idParam(),
      response: UserDetail,
      refusals: [],
    },
    ({ c, projectId, params }) => answer(c, params.id as string, projectId),
  );

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/users',
      operationId: 'createUser',
      summary: 'Create a user with a role in the project; they get a link to set their password',
      body: z.object({ name: z.string(), email: z.string(), roleId: z.uuid() }).openapi('NewUser', {
        example: {
          name: 'Grace Hopper',
          email: 'grace@example.com',
          roleId: '00000000-0000-4000-8000-000000000000',
        },
      }),
      response: UserDetail,
      status: 201,
    },
    async ({ c, ctx, projectId, body }) => {
      const created = await createUser(ctx, projectId, body);
      c.header('Location', `/api/v1/users/${created.userId}`);
      return answer(c, created.userId, projectId);
    },
  );

  operation(
    app,
    deps,
    {
      method: 'patch',
      path: '/users/{id}',
      operationId: 'updateUser',
      summary: 'Change name, language, access end, role in the project, teams (If-Match required)',
      // Refused before anything is read: a token that may not edit learns nothing of the user.
      needs: 'users.manage',
      params: idParam(),
      headers: z.object({ 'if-match': z.string().optional() }),
      body: z
        .object({
          name: z.string().optional(),
          language: z.string().optional(),
          accessUntil: z.string().optional(),
          roleId: z.string().optional(),
          teamIds: z.array(z.string()).optional(),
        })
        .openapi('UserUpdate'),
      response: UserDetail,
      // 409: a team the directory manages (src/scim/) joined or left by hand.
      refusals: [409, 412, 422, 428],
    },
    async ({ c, ctx, projectId, params, body }) => {
      const id = params.id as string;
      const ifMatch = c.req.header('if-match');
      if (!ifMatch)
        return problem(c, 428, 'precondition-required', 'Send If-Match with the ETag of your last read.');
      const current = await detail(deps, id, projectId);
      if (ifMatch !== current.etag && ifMatch !== '*')
        return problem(c, 412, 'precondition-failed', 'The user changed since you read them: read again.');
      const v = current.values;
      await editUser(ctx, id, projectId, {
        name: body.name ?? v.name,
        language: body.language ?? v.language,
        until: body.accessUntil ?? v.until,
        roleId: body.roleId ?? v.roleId,
        teamIds: body.teamIds ?? v.teamIds,
        // What was read: only the fields changed here change (another admin's edit survives).
        was: { until: v.until, roleId: v.roleId, teamIds: v.teamIds },
      });
      return answer(c, id, projectId);
    },
  );

  /** An action on one user, answered with the user as it now is. */
  const action = (
    path: string,
    operationId: string,
    summary: string,
    run: (ctx: ActionContext, id: string) => Promise<unknown>,
  ) =>
    operation(
      app,
      deps,
      {
        method: 'post',
        path: `/users/{id}/${path}`,
        operationId,
        summary,
        params: idParam(),
        response: UserDetail,
      },
      async ({ c, ctx, projectId, params }) => {
        await run(ctx, params.id as string);
        return answer(c, params.id as string, projectId);
      },
    );

  action('deactivate', 'deactivateUser', 'Deactivate: sessions and tokens stop at once', deactivateUser);
  action('reactivate', 'reactivateUser', 'Reactivate', reactivateUser);
  action('reset-password', 'resetPassword', 'Reset the password: a link is emailed', resetPassword);
  action('reset-two-factor', 'resetTwoFactor', 'Reset 2FA: they enrol again', (ctx, id) =>
    resetTwoFactor(ctx, id, { reason: 'API' }),
  );
  action('unlock', 'unlockUser', 'End every lock', (ctx, id) => unlockUser(ctx, id, { reason: 'API' }));

  operation(
    app,
    deps,
    {
      method: 'delete',
      path: '/users/{id}',
      operationId: 'deleteUser',
      summary: 'Delete for good',
      params: idParam(),
      status: 204,
      refusals: [409],
    },
    async ({ ctx, params }) => deleteUser(ctx, params.id as string),
  );

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/users/{id}/access',
      operationId: 'effectiveAccess',
      summary: 'Effective access: every permission in every project, and where it comes from',
      needs: 'users.view',
      params: idParam(),
      response: z
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
      refusals: [],
    },
    async ({ ctx, params }) => {
      const viewer = ctx.actor.kind === 'user' ? ctx.actor.id : undefined;
      const found = await effectiveAccess(deps.db, params.id as string, deps.clock.now(), viewer);
      return {
        projects: found.projects.map((p) => ({
          projectId: p.projectId,
          projectName: p.projectName,
          permissions: p.permissions.map((k) => ({ key: k.key, sources: k.sources.map((s) => s.label) })),
        })),
      };
    },
  );
}
