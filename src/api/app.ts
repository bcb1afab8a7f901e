import { OpenAPIHono } from '@hono/zod-openapi';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { controlCharacterIn, isValueRefused } from '../core/validation';
import { scimApp } from '../scim/app';
import { clientIp } from '../web/client-ip';
import { type ApiDeps, type ApiEnv, bearer, rateLimit } from './auth';
import { authzenRoutes } from './authzen-routes';
import { idempotency } from './idempotency';
import { problem } from './problems';
import { resourceRoutes } from './resource-routes';
import { userApiRoutes } from './user-routes';

/**
 * The console's form reader refuses control characters in every field (web/form.ts); a JSON body
 * gets the same rule here, for every string in it, before any handler reads it: no C0 character
 * but tab, line feed and carriage return (which one-line fields refuse in their own schemas).
 */
const refuseControlCharacters: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!(c.req.header('content-type') ?? '').includes('json')) return next();
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return next(); // Not JSON: the route's validator says so.
  }
  const found = controlCharacterAt(body, []);
  if (found) {
    const field = found.path.join('.') || 'body';
    return problem(c, 422, 'validation', `Remove the control character ${found.character} from ${field}.`, {
      errors: { [field]: `Remove the control character ${found.character}.` },
    });
  }
  return next();
};

function controlCharacterAt(value: unknown, path: string[]): { path: string[]; character: string } | null {
  if (typeof value === 'string') {
    const character = controlCharacterIn(value, true);
    return character ? { path, character } : null;
  }
  if (value && typeof value === 'object')
    for (const [key, inner] of Object.entries(value)) {
      const found = controlCharacterAt(inner, [...path, key]);
      if (found) return found;
    }
  return null;
}

const MAX_BODY = 256 * 1024;

/** The machine interface's paths: everything else is the console's. */
export const isApiPath = (path: string) =>
  path.startsWith('/api/v1/') ||
  path.startsWith('/access/v1/') ||
  path === '/scim/v2' ||
  path.startsWith('/scim/v2/') ||
  path === '/.well-known/authzen-configuration';

/**
 * The machine interface, apart from the console's middleware (no cookies, sessions, CSRF or HTML):
 * the REST API under /api/v1 (OpenAPI 3.1 at /api/v1/openapi.json) and the AuthZEN permission
 * check under /access/v1, both with bearer API tokens.
 */
export function apiApp(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  const logError = deps.logError ?? ((message, error) => console.error(message, error));
  app.use(async (c, next) => {
    const requestId = crypto.randomUUID();
    c.set('meta', {
      ip: clientIp(c as never, deps.config.trustProxy),
      requestId,
      userAgent: c.req.header('user-agent') ?? null,
    });
    // The audit events of a request carry this id: a client reports it with a problem.
    c.header('X-Request-Id', requestId);
    // Before the handler: set after it, c.header() would rebuild the response from its body.
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    await next();
  });

  // SCIM 2.0 for company directories (src/scim/): before the limit below, as it answers every
  // refusal, a body too large included, in SCIM's own error shape.
  app.route('/scim/v2', scimApp(deps));

  // Bodies are small (a batch of 500 checks is about 80 KB): no request is read past this. The
  // declared length is read from the header first: Hono's bodyLimit looks at the request's body,
  // which makes the Node adapter build a whole Request (it halved the permission check's rate),
  // so it only reads the bodies that come without a length (chunked).
  const tooLarge = (c: Context) => problem(c, 413, 'too-large', 'At most 256 KB a request.');
  const chunked = bodyLimit({ maxSize: MAX_BODY, onError: tooLarge });
  app.use(async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined)
      return Number(length) > MAX_BODY ? tooLarge(c) : next();
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return chunked(c, next);
  });

  // AuthZEN's metadata (PDP discovery): where the evaluation endpoints are.
  app.get('/.well-known/authzen-configuration', (c) =>
    c.json({
      policy_decision_point: deps.config.publicUrl,
      access_evaluation_endpoint: `${deps.config.publicUrl}/access/v1/evaluation`,
      access_evaluations_endpoint: `${deps.config.publicUrl}/access/v1/evaluations`,
    }),
  );
  const authzen = authzenRoutes(deps);
  app.route('/access/v1', authzen.app);

  const v1 = new OpenAPIHono<ApiEnv>({
    // Input the schemas refuse: a problem naming each field, nothing changed.
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors: Record<string, string> = {};
      for (const issue of result.error.issues) errors[issue.path.join('.') || 'body'] ??= issue.message;
      return problem(c, 422, 'validation', Object.values(errors).join(' '), { errors });
    },
  });
  v1.openAPIRegistry.registerComponent('securitySchemes', 'apiToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (gh_…) from My account, a service account, or `npm run cli -- token create`.',
  });
  v1.get('/openapi.json', (c) =>
    c.json(
      v1.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Gatehouse API',
          version: '1.0.0',
          description:
            'Users, access and audit by program, on the console’s rules: every write goes through the same domain function as the console (permission, rules, audit, one transaction). Errors are RFC 9457 problem details with a stable type per rule.',
        },
        servers: [{ url: `${deps.config.publicUrl}/api/v1` }],
        security: [{ apiToken: [] }],
      }),
    ),
  );
  v1.use('*', bearer(deps, { cached: false }));
  v1.use('*', rateLimit({ name: 'api', perMinute: deps.config.apiRatePerMinute }));
  v1.use('*', idempotency(deps));
  v1.use('*', refuseControlCharacters);
  userApiRoutes(v1, deps);
  resourceRoutes(v1, deps);
  app.route('/api/v1', v1);

  app.notFound((c) => problem(c, 404, 'not-found', `No such API path: ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    // The validators' refusals (malformed JSON, a body that is not JSON): the client's, 4xx.
    if (error instanceof HTTPException && error.status < 500)
      return problem(
        c,
        error.status,
        'bad-request',
        error.message || 'The request is not one this API understands.',
      );
    // A value PostgreSQL refused (a NUL in a string, say): a check is missing (logged), the
    // client's input is still refused, 400, and nothing was changed (the statement failed).
    if (isValueRefused(error)) {
      logError(`api ${c.req.method} ${c.req.path}: a value was refused`, error);
      return problem(c, 400, 'bad-request', 'Something in this request is not a value this API accepts.');
    }
    logError(`api ${c.req.method} ${c.req.path} failed`, error);
    return problem(c, 500 as never, 'internal', 'Something went wrong on our side; nothing was changed.');
  });
  return { app, flush: authzen.flush };
}
