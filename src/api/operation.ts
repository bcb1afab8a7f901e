import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ActionContext } from '../core/context';
import { type ApiDeps, type ApiEnv, apiContext, projectOf } from './auth';
import { problem, problemOf } from './problems';

export const Problem = z
  .object({
    type: z.string().openapi({ example: 'urn:gatehouse:problem:last-admin' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .openapi('Problem');

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: 'Refused: see the problem’s type',
        content: { 'application/problem+json': { schema: Problem } },
      },
    ]),
  );

export const projectQuery = z.object({
  project: z
    .uuid()
    .optional()
    .openapi({
      param: { name: 'project', in: 'query' },
      description: 'The project to act in (default: the first)',
    }),
});

type Schema = z.ZodType;

/**
 * One API operation, declared once: its OpenAPI entry, its input checked by the same zod schema
 * (a refusal is a 422 problem), and a body that gets the domain context of the token's owner in
 * the project asked for. What the body returns is the JSON answer (undefined: 204); a domain
 * refusal becomes its problem. `needs`: a permission the token must hold there to read.
 */
export function operation<P extends z.ZodObject | undefined, B extends Schema | undefined>(
  app: OpenAPIHono<ApiEnv>,
  deps: ApiDeps,
  spec: {
    method: 'get' | 'post' | 'patch' | 'put' | 'delete';
    path: string;
    operationId: string;
    summary: string;
    params?: P;
    /** More query parameters than `project` (read from the URL by the body). */
    query?: z.ZodObject;
    /** Request headers it reads (documented; the body reads them). */
    headers?: z.ZodObject;
    body?: B;
    response?: Schema;
    status?: 200 | 201 | 204;
    needs?: string;
    refusals?: number[];
  },
  run: (input: {
    c: Context<ApiEnv>;
    ctx: ActionContext;
    projectId: string;
    params: P extends z.ZodObject ? z.infer<P> : undefined;
    body: B extends Schema ? z.infer<B> : undefined;
  }) => Promise<unknown>,
) {
  const status = spec.status ?? 200;
  const route = createRoute({
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    request: {
      ...(spec.params ? { params: spec.params } : {}),
      query: spec.query ? projectQuery.extend(spec.query.shape) : projectQuery,
      ...(spec.headers ? { headers: spec.headers } : {}),
      ...(spec.body
        ? { body: { content: { 'application/json': { schema: spec.body } }, required: true } }
        : {}),
    },
    responses: {
      [status]: spec.response
        ? { description: 'Done', content: { 'application/json': { schema: spec.response } } }
        : { description: 'Done' },
      // Every call can be refused its token (401), a permission (403), a thing (404) or its rate (429).
      ...problemResponses(401, 403, 404, 429, ...(spec.refusals ?? [409, 422])),
    },
  });
  app.openapi(route, (async (c: Context<ApiEnv>) => {
    const projectId = await projectOf(c, deps);
    if (!projectId) return problem(c, 404, 'not-found', 'There is no such project.');
    try {
      const ctx = await apiContext(c, deps, projectId);
      if (spec.needs && ctx.actor.kind === 'user' && !ctx.actor.permissions.has(spec.needs))
        return problem(c, 403, 'forbidden', `This needs the permission ${spec.needs}.`);
      const valid = c.req as unknown as { valid(target: string): unknown };
      const answer = await run({
        c,
        ctx,
        projectId,
        params: (spec.params ? valid.valid('param') : undefined) as never,
        body: (spec.body ? valid.valid('json') : undefined) as never,
      });
      if (answer instanceof Response) return answer;
      if (status === 204 || answer === undefined) return c.body(null, 204);
      return c.json(answer, status);
    } catch (error) {
      const refusal = problemOf(c, error);
      if (refusal) return refusal;
      throw error;
    }
  }) as never);
}

export const idParam = (name = 'id') =>
  z.object({ [name]: z.uuid().openapi({ param: { name, in: 'path' } }) }) as z.ZodObject<{
    [k: string]: z.ZodUUID;
  }>;
