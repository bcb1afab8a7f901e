import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { createBinding, deleteBinding, listBindings, updateBinding } from '../access/bindings';
import { actorGrantsOf, permissionsIn, projectIds, scopeOf } from '../access/grants';
import { createProject, deleteProject, listProjects, renameProject } from '../access/projects';
import { createRole, deleteRole, listRoles, updateRole } from '../access/roles';
import { addTeamMember, removeTeamMember } from '../access/team-members';
import { createTeam, deleteTeam, getTeam, listTeams } from '../access/teams';
import { findAuditEvent } from '../audit/events';
import { auditList, type ListedEvent } from '../audit/list';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
import { inviteUsers } from '../invitations/invite';
import { invitationList, type ListedInvitation } from '../invitations/list';
import { resendInvitation, revokeInvitation } from '../invitations/manage';
import { everyPage, FIRST_PAGE } from '../lists/paging';
import type { ApiDeps, ApiEnv } from './auth';
import { iso, listJson, pageSchema } from './list-json';
import { idParam, operation } from './operation';

/*
 * The rest of the REST API: roles, role bindings, teams and their members, projects,
 * invitations and the audit log, each write through the console's domain function.
 */

const Id = z.object({ id: z.string() }).openapi('Created');

export function resourceRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps) {
  const now = () => deps.clock.now();

  /** An action on one thing by its id, answered 204: a domain function of (ctx, id). */
  const onId = (
    method: 'post' | 'delete',
    path: string,
    operationId: string,
    summary: string,
    run: (ctx: ActionContext, id: string) => Promise<unknown>,
  ) =>
    operation(
      app,
      deps,
      { method, path, operationId, summary, params: idParam(), status: 204 },
      async ({ ctx, params }) => {
        await run(ctx, params.id as string);
      },
    );

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/roles',
      operationId: 'listRoles',
      summary: 'Roles, built-in and custom, with their permissions',
      needs: 'users.view',
      response: z
        .object({
          data: z.array(
            z.object({
              id: z.string(),
              key: z.string().nullable(),
              name: z.string(),
              builtin: z.boolean(),
              permissions: z.array(z.string()),
            }),
          ),
        })
        .openapi('Roles'),
    },
    async () => ({
      data: (await listRoles(deps.db, now())).map((r) => ({
        id: r.id,
        key: r.key,
        name: r.name,
        builtin: r.builtin,
        permissions: r.permissions,
      })),
    }),
  );

  const RoleInput = z
    .object({ name: z.string(), description: z.string().optional(), permissions: z.array(z.string()) })
    .openapi('RoleInput', {
      example: { name: 'Support agent', permissions: ['reports.view', 'users.view'] },
    });

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/roles',
      operationId: 'createRole',
      summary: 'Create a custom role (only permissions you hold)',
      status: 201,
      body: RoleInput,
      response: Id,
    },
    async ({ ctx, body }) => ({ id: await createRole(ctx, body) }),
  );

  operation(
    app,
    deps,
    {
      method: 'put',
      path: '/roles/{id}',
      operationId: 'updateRole',
      summary: 'Change a custom role: its bindings change with it',
      params: idParam(),
      body: RoleInput,
      status: 204,
    },
    async ({ ctx, params, body }) => updateRole(ctx, params.id as string, body),
  );

  onId('delete', '/roles/{id}', 'deleteRole', 'Delete a custom role and its bindings', deleteRole);

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/bindings',
      operationId: 'listBindings',
      summary: 'Role bindings of the project (and account-wide ones)',
      needs: 'users.view',
      response: z
        .object({
          data: z.array(
            z.object({
              id: z.string(),
              subject: z.object({ kind: z.string(), id: z.string(), name: z.string() }),
              role: z.string().nullable(),
              permissions: z.array(z.string()),
              projectId: z.string().nullable(),
              expiresAt: z.string().nullable(),
            }),
          ),
        })
        .openapi('Bindings'),
    },
    async ({ projectId }) => ({
      data: (await listBindings(deps.db, projectId, now())).map((b) => ({
        id: b.id,
        subject: { kind: b.subject.kind, id: b.subject.id, name: b.subject.name },
        role: b.role?.name ?? null,
        permissions: b.permissions,
        projectId: b.projectId,
        expiresAt: iso(b.expiresAt),
      })),
    }),
  );

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/bindings',
      operationId: 'createBinding',
      summary: 'Bind a person (by email) or a team to a role or a manual permission set',
      status: 201,
      refusals: [409, 422],
      body: z
        .object({
          subject: z.enum(['user', 'team']).default('user'),
          email: z.string().optional(),
          teamId: z.string().optional(),
          access: z.string().openapi({ description: 'A role id, or "manual"' }),
          permissions: z.array(z.string()).optional(),
          scope: z.enum(['project', 'account']).default('project'),
          until: z.string().optional().openapi({ description: 'Last day (YYYY-MM-DD)' }),
        })
        .openapi('NewBinding'),
      response: Id,
    },
    async ({ ctx, projectId, body }) => ({ id: await createBinding(ctx, projectId, body) }),
  );

  operation(
    app,
    deps,
    {
      method: 'patch',
      path: '/bindings/{id}',
      operationId: 'updateBinding',
      summary: 'Change a binding’s role, manual set or end date',
      params: idParam(),
      body: z
        .object({
          access: z.string(),
          permissions: z.array(z.string()).optional(),
          until: z.string().optional(),
        })
        .openapi('BindingUpdate'),
      status: 204,
    },
    async ({ ctx, params, body }) => updateBinding(ctx, params.id as string, body),
  );

  onId('delete', '/bindings/{id}', 'deleteBinding', 'Remove a role binding', deleteBinding);

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/teams',
      operationId: 'listTeams',
      summary: 'Teams',
      needs: 'teams.manage',
      response: z
        .object({
          data: z.array(
            z.object({ id: z.string(), name: z.string(), description: z.string(), members: z.number() }),
          ),
        })
        .openapi('Teams'),
    },
    async () => ({
      data: (await listTeams(deps.db)).map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        members: t.members,
      })),
    }),
  );

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/teams/{id}',
      operationId: 'getTeam',
      summary: 'A team and its members',
      needs: 'teams.manage',
      params: idParam(),
      response: z
        .object({
          id: z.string(),
          name: z.string(),
          members: z.array(z.object({ id: z.string(), email: z.string(), admin: z.boolean() })),
        })
        .openapi('Team'),
    },
    async ({ params }) => {
      const team = await getTeam(deps.db, params.id as string);
      if (!team) throw new NotFoundError('There is no such team.');
      return {
        id: team.id,
        name: team.name,
        members: team.members.map((m) => ({ id: m.userId, email: m.email, admin: m.isAdmin })),
      };
    },
  );

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/teams',
      operationId: 'createTeam',
      summary: 'Create a team',
      status: 201,
      body: z.object({ name: z.string(), description: z.string().optional() }).openapi('NewTeam'),
      response: Id,
    },
    async ({ ctx, body }) => ({ id: await createTeam(ctx, body) }),
  );

  onId('delete', '/teams/{id}', 'deleteTeam', 'Delete a team (its bindings and memberships go)', deleteTeam);

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/teams/{id}/members',
      operationId: 'addTeamMember',
      summary: 'Add a person (by email) to a team',
      params: idParam(),
      status: 204,
      body: z.object({ email: z.string(), admin: z.boolean().optional() }).openapi('NewMember'),
    },
    async ({ ctx, params, body }) =>
      addTeamMember(ctx, params.id as string, { email: body.email, admin: body.admin ? 'true' : '' }),
  );

  operation(
    app,
    deps,
    {
      method: 'delete',
      path: '/teams/{id}/members/{userId}',
      operationId: 'removeTeamMember',
      summary: 'Remove a person from a team',
      params: z.object({
        id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
        userId: z.uuid().openapi({ param: { name: 'userId', in: 'path' } }),
      }),
      status: 204,
    },
    async ({ ctx, params }) => removeTeamMember(ctx, params.id as string, params.userId as string),
  );

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/projects',
      operationId: 'listProjects',
      summary: 'The projects the token may act in (all of them account-wide)',
      response: z
        .object({ data: z.array(z.object({ id: z.string(), name: z.string(), createdAt: z.string() })) })
        .openapi('Projects'),
    },
    async ({ ctx }) => {
      // As the console's project switcher: only where the token may do something.
      const grants = await actorGrantsOf(deps.db, ctx.actor, now());
      return {
        data: (await listProjects(deps.db))
          .filter((p) => permissionsIn(grants, p.id).size > 0)
          .map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt.toISOString() })),
      };
    },
  );

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/projects',
      operationId: 'createProject',
      summary: 'Create a project',
      status: 201,
      body: z.object({ name: z.string() }).openapi('NewProject'),
      response: Id,
    },
    async ({ ctx, body }) => ({ id: await createProject(ctx, body) }),
  );

  operation(
    app,
    deps,
    {
      method: 'patch',
      path: '/projects/{id}',
      operationId: 'renameProject',
      summary: 'Rename a project',
      params: idParam(),
      body: z.object({ name: z.string() }).openapi('ProjectRename'),
      status: 204,
    },
    async ({ ctx, params, body }) => renameProject(ctx, params.id as string, body),
  );

  operation(
    app,
    deps,
    {
      method: 'delete',
      path: '/projects/{id}',
      operationId: 'deleteProject',
      summary: 'Delete a project (?removeBindings=true also removes its role bindings)',
      params: idParam(),
      query: z.object({ removeBindings: z.enum(['true', 'false']).optional() }),
      status: 204,
    },
    async ({ c, ctx, params }) =>
      deleteProject(ctx, params.id as string, { removeBindings: c.req.query('removeBindings') === 'true' }),
  );

  operation(
    app,
    deps,
    {
      method: 'post',
      path: '/invitations',
      operationId: 'createInvitations',
      summary: 'Invite people (up to 50 addresses) with a role in the project',
      status: 201,
      body: z
        .object({
          emails: z.array(z.string()).min(1).max(50),
          roleId: z.uuid(),
          language: z.string().optional(),
          message: z.string().optional(),
        })
        .openapi('NewInvitations'),
      response: z
        .object({
          data: z.array(
            z.object({ email: z.string(), outcome: z.string(), invitationId: z.string().nullable() }),
          ),
        })
        .openapi('InvitationOutcomes'),
    },
    async ({ ctx, projectId, body }) => ({
      data: (
        await inviteUsers(ctx, {
          emails: body.emails.join('\n'),
          projectId,
          roleId: body.roleId,
          language: body.language ?? 'en',
          message: body.message,
        })
      ).map((o) => ({ email: o.email, outcome: o.outcome, invitationId: o.invitationId })),
    }),
  );

  onId(
    'post',
    '/invitations/{id}/resend',
    'resendInvitation',
    'Send the invitation again (a new link)',
    resendInvitation,
  );

  onId('post', '/invitations/{id}/revoke', 'revokeInvitation', 'Revoke an invitation', revokeInvitation);

  const auditCall = async (actor: ActionContext['actor'], projectId: string) => {
    const grants = await actorGrantsOf(deps.db, actor, now());
    return {
      db: deps.db,
      now: now(),
      timeZone: 'UTC',
      projectId,
      scope: scopeOf(grants, await projectIds(deps.db), 'audit.view'),
      filters: auditList.filters,
    };
  };

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/invitations',
      operationId: 'listInvitations',
      summary: 'Invitations (the console’s list: state and search filters, keyset paging)',
      needs: 'invitations.manage',
      response: pageSchema(
        'InvitationPage',
        z.object({
          id: z.string(),
          email: z.string(),
          invitedBy: z.string(),
          project: z.string(),
          role: z.string(),
          state: z.string(),
          createdAt: z.string(),
          expiresAt: z.string(),
        }),
      ),
    },
    async ({ c, ctx, projectId }) => {
      const grants = await actorGrantsOf(deps.db, ctx.actor, now());
      const call = {
        db: deps.db,
        now: now(),
        timeZone: 'UTC',
        projectId,
        scope: scopeOf(grants, await projectIds(deps.db), 'invitations.manage'),
        filters: invitationList.filters,
      };
      return listJson(c, invitationList, call, (i: ListedInvitation) => ({
        id: i.id,
        email: i.email,
        invitedBy: i.invitedBy,
        project: i.projectName,
        role: i.roleName,
        state: i.state,
        createdAt: i.createdAt.toISOString(),
        expiresAt: i.expiresAt.toISOString(),
      }));
    },
  );

  const eventJson = (e: ListedEvent) => ({
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actor: e.actorLabel,
    actorId: e.actorId,
    action: e.action,
    outcome: e.outcome,
    target: e.targetLabel,
    targetType: e.targetType,
    targetId: e.targetId,
    project: e.projectName,
    projectId: e.projectId,
    ip: e.ip,
    requestId: e.requestId,
    reason: e.reason,
  });
  const Event = z
    .object({
      id: z.number().int(),
      occurredAt: z.string(),
      actor: z.string(),
      actorId: z.string().nullable(),
      action: z.string(),
      outcome: z.string(),
      target: z.string().nullable(),
      targetType: z.string().nullable(),
      targetId: z.string().nullable(),
      project: z.string().nullable(),
      projectId: z.string().nullable(),
      ip: z.string().nullable(),
      requestId: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .openapi('AuditEvent');

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      summary:
        'The audit log, newest first (the console’s filters: actor, action, user, target, outcome, from, to)',
      needs: 'audit.view',
      response: pageSchema('AuditPage', Event),
    },
    async ({ c, ctx, projectId }) => {
      const call = await auditCall(ctx.actor, projectId);
      return listJson(c, auditList, call, eventJson);
    },
  );

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/audit/events/{eventId}',
      operationId: 'getAuditEvent',
      summary: 'One audit event, with what it changed (before and after)',
      needs: 'audit.view',
      params: z.object({
        eventId: z
          .string()
          .regex(/^[1-9]\d{0,14}$/)
          .openapi({ param: { name: 'eventId', in: 'path' } }),
      }),
      response: Event.extend({ before: z.unknown(), after: z.unknown() }).openapi('AuditEventDetail'),
    },
    async ({ ctx, projectId, params }) => {
      const call = await auditCall(ctx.actor, projectId);
      const event = await findAuditEvent(deps.db, Number(params.eventId), call.scope);
      if (!event) throw new NotFoundError('There is no such event, or it is not one you may read.');
      return event;
    },
  );

  operation(
    app,
    deps,
    {
      method: 'get',
      path: '/audit/export',
      operationId: 'exportAudit',
      summary:
        'The audit log as NDJSON, streamed (the console’s filters as query parameters); the export is itself audited',
      needs: 'audit.view',
      response: z.string().openapi({ description: 'One JSON event a line' }),
    },
    async ({ c, ctx, projectId }) => {
      const q = auditList.parse(new URL(c.req.url).searchParams);
      const call = await auditCall(ctx.actor, projectId);
      const spec = auditList.export;
      const snapshot = await spec.record(
        ctx,
        {
          result: undefined,
          target: {
            type: 'audit',
            id: auditList.exportFilter(q).toString() || 'all',
            label: 'NDJSON export (API)',
          },
          after: { format: 'json', filter: auditList.exportFilter(q).toString() },
        },
        call,
      );
      const full = { ...call, ...(await auditList.prepare?.(call, q)) };
      const columns = 'columns' in spec ? Object.entries(spec.columns) : [];
      const pages = everyPage(async (after) => {
        const walk = await auditList.rows(
          full as never,
          { ...q, ...FIRST_PAGE, per: 100, after },
          { snapshot },
        );
        return { rows: walk.rows, more: walk.more, last: walk.last };
      });
      const encoder = new TextEncoder();
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await pages.next();
          if (done) return controller.close();
          controller.enqueue(
            encoder.encode(
              value
                .map((row) => `${JSON.stringify(Object.fromEntries(columns.map(([k, f]) => [k, f(row)])))}\n`)
                .join(''),
            ),
          );
        },
      });
      return new Response(stream, { headers: { 'Content-Type': 'application/x-ndjson' } });
    },
  );
}
