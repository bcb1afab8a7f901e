import { type Context, Hono } from 'hono';
import { sql } from 'kysely';
import { z } from 'zod';
import { narrowedTo } from '../access/grants';
import { controlCharacterIn } from '../core/validation';
import type { Db } from '../db/connect';
import { type ApiDeps, type ApiEnv, bearer } from './auth';
import { AccessReader, blocked, type Decision, evaluate, grantsGiving } from './evaluation';
import { problem } from './problems';
import type { TokenHolder } from './tokens';

/*
 * The AuthZEN Access Evaluation API 1.0 (OpenID Foundation): POST /access/v1/evaluation and
 * /access/v1/evaluations (a batch), for the product's backend. Subject: a user or service account
 * ({"type": "user" | "service_account", "id": <id or email>}); action: {"name": <permission key>};
 * resource: {"type": "project", "id": <id or name>}. The answer is {"decision": true|false}, with
 * the reason in `context.reason_admin` for callers who may read the audit trail. The caller's
 * token needs access.evaluate in the resource's project. Decisions are counted per token and day
 * (shown on the audit page), not audited one by one.
 */

/** Text a check can name something by: no control character (PostgreSQL refuses a NUL). */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => controlCharacterIn(s) === null, 'no control characters');
const entity = z.object({ type: text(100), id: text(254) });
const action = z.object({ name: text(200) });
const single = z.object({
  subject: entity,
  action,
  resource: entity,
  context: z.record(z.string(), z.unknown()).optional(),
});
const partial = single.partial();
const batch = partial.extend({
  evaluations: z.array(partial).max(500).optional(),
  options: z
    .object({
      evaluations_semantic: z
        .enum(['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'])
        .default('execute_all'),
    })
    .partial()
    .passthrough()
    .optional(),
});

const SUBJECT_TYPES = new Set(['user', 'service_account']);

/** Counts of decisions per token and day, written every few seconds (not one write a check). */
class DecisionCounts {
  readonly #pending = new Map<
    string,
    { day: string; tokenId: string; label: string; allowed: number; denied: number }
  >();
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly db: Db) {
    this.#timer = setInterval(() => void this.flush(), 5_000);
    this.#timer.unref();
  }

  add(holder: TokenHolder, decision: boolean, now: Date) {
    const day = now.toISOString().slice(0, 10);
    const key = `${day}|${holder.tokenId}`;
    let entry = this.#pending.get(key);
    if (!entry) {
      entry = {
        day,
        tokenId: holder.tokenId,
        label: `${holder.owner.name} (token “${holder.tokenName}”)`,
        allowed: 0,
        denied: 0,
      };
      this.#pending.set(key, entry);
    }
    if (decision) entry.allowed++;
    else entry.denied++;
  }

  async flush() {
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    for (const e of entries)
      await sql`
        insert into access_decision_counts (day, token_id, caller_label, allowed, denied)
        values (${e.day}, ${e.tokenId}, ${e.label}, ${e.allowed}, ${e.denied})
        on conflict (day, token_id) do update set
          allowed = access_decision_counts.allowed + excluded.allowed,
          denied = access_decision_counts.denied + excluded.denied`
        .execute(this.db)
        .catch((error) => {
          // Counts are not worth failing for: they are logged and dropped.
          console.error('permission check counts not written', error);
        });
  }
}

export function authzenRoutes(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  const reader = new AccessReader(deps.db, deps.accessCache ?? null);
  const counts = new DecisionCounts(deps.db);

  /**
   * What the caller's token may use, read once a request: `may(permission, project)` is then a
   * lookup (the owner's live grants at `now`, narrowed to the token's list).
   */
  const callerOf = async (holder: TokenHolder, now: Date) => {
    const [owner, ownersGrants] = await Promise.all([
      reader.subject(holder.owner.id),
      reader.grants(holder.owner.id),
    ]);
    const able = owner !== null && blocked(owner, now) === null;
    const grants = narrowedTo(ownersGrants, holder.permissions);
    const may = (permission: string, projectId: string) =>
      able && grantsGiving(grants, permission, projectId, now).length > 0;
    // The reason speaks of the person account-wide (deactivated, locked, their teams and roles):
    // only for callers who may read the whole audit trail (audit.view granted account-wide).
    const accountWide = grants.filter((g) => g.projectId === null);
    // (An account-wide grant gives in every project: which one is asked about does not matter.)
    const explains = able && grantsGiving(accountWide, 'audit.view', '', now).length > 0;
    return { may, explains };
  };

  type Request = z.infer<typeof single>;
  type Answer = { decision: boolean; context?: { reason_admin: { en: string } } } | { error: string };
  type Caller = Awaited<ReturnType<typeof callerOf>>;

  const decide = async (
    holder: TokenHolder,
    { may, explains }: Caller,
    request: Request,
    now: Date,
  ): Promise<Answer> => {
    if (!SUBJECT_TYPES.has(request.subject.type))
      return { error: `subject.type must be user or service_account, not ${request.subject.type}` };
    if (request.resource.type !== 'project')
      return { error: `resource.type must be project, not ${request.resource.type}` };
    const project = await reader.project(request.resource.id);
    // A caller who may not ask about a project learns nothing about it, not even that it exists.
    if (!project || !may('access.evaluate', project.id)) return { error: 'forbidden' };
    const result: Decision = await evaluate(
      reader,
      { subject: request.subject.id, action: request.action.name, resource: project.id },
      now,
    );
    counts.add(holder, result.decision, now);
    return explains
      ? { decision: result.decision, context: { reason_admin: { en: result.reason } } }
      : { decision: result.decision };
  };

  const body = async (c: Context<ApiEnv>) => {
    try {
      return await c.req.json();
    } catch {
      return undefined;
    }
  };

  app.use('*', bearer(deps, { cached: true }));

  app.post('/evaluation', async (c) => {
    const parsed = single.safeParse(await body(c));
    if (!parsed.success)
      return problem(
        c,
        400,
        'bad-request',
        `Not an AuthZEN evaluation request: ${parsed.error.issues[0]?.message}`,
      );
    const now = deps.clock.now();
    const holder = c.get('holder');
    const answer = await decide(holder, await callerOf(holder, now), parsed.data, now);
    if ('error' in answer)
      return answer.error === 'forbidden'
        ? problem(
            c,
            403,
            'forbidden',
            'This token may not ask about that project (it needs access.evaluate there).',
          )
        : problem(c, 400, 'bad-request', answer.error);
    return c.json(answer);
  });

  app.post('/evaluations', async (c) => {
    const parsed = batch.safeParse(await body(c));
    if (!parsed.success)
      return problem(
        c,
        400,
        'bad-request',
        `Not an AuthZEN evaluations request: ${parsed.error.issues[0]?.message}`,
      );
    const { evaluations, options, ...defaults } = parsed.data;
    const items = evaluations && evaluations.length > 0 ? evaluations : [{}];
    const semantic = options?.evaluations_semantic ?? 'execute_all';
    const now = deps.clock.now();
    const holder = c.get('holder');
    const caller = await callerOf(holder, now);
    const answers: Answer[] = [];
    for (const item of items) {
      const merged = single.safeParse({ ...defaults, ...item });
      if (!merged.success) {
        answers.push({
          decision: false,
          context: { reason_admin: { en: 'Incomplete request: subject, action and resource are needed.' } },
        });
        continue;
      }
      const answer = await decide(holder, caller, merged.data, now);
      // In a batch, a refusal of one item is that item's answer, not the whole call's.
      answers.push(
        'error' in answer ? { decision: false, context: { reason_admin: { en: answer.error } } } : answer,
      );
      const last = answers.at(-1) as { decision: boolean };
      if (semantic === 'deny_on_first_deny' && !last.decision) break;
      if (semantic === 'permit_on_first_permit' && last.decision) break;
    }
    return c.json({ evaluations: answers });
  });

  return { app, flush: () => counts.flush() };
}
