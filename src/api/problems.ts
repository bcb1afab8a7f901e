import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RuleError } from '../access/rules';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ReauthenticationRequired,
  ValidationError,
} from '../core/errors';

/*
 * RFC 9457 problem details. Each refusal has a stable `type` a client can branch on
 * (`urn:gatehouse:problem:<name>`): the rule that refused it where there is one.
 */

export const PROBLEM_TYPES = {
  validation: 'The input is not valid: `errors` says what is wrong with each field.',
  unauthorized: 'No API token, or one that is not valid (unknown, expired, revoked, owner unable).',
  forbidden: 'The token (or its owner) lacks the permission this needs.',
  'not-found': 'There is no such thing.',
  conflict: 'The change conflicts with the current state.',
  'last-admin': 'The account would be left without anyone who can manage it.',
  rank: 'Only someone who holds everything the person holds may change their access.',
  'no-escalation': 'You can only grant what you hold yourself.',
  'not-yourself': 'You cannot change your own access this way.',
  scope: 'The change reaches outside the projects you may act in.',
  'invitation-limit': 'The daily invitation limit is reached.',
  'precondition-failed': 'The resource changed since you read it (If-Match does not match its ETag).',
  'precondition-required': 'Updates need If-Match with the ETag you read.',
  'idempotency-key-reused': 'This Idempotency-Key was used for a different request.',
  'rate-limited': 'Too many requests for this token: wait as Retry-After says.',
  'recent-authentication':
    'This action needs a person who has just confirmed their password: use the console.',
  'bad-request': 'The request is not one this API understands.',
  'too-large': 'The request body is larger than this API takes.',
  internal: 'Something went wrong on our side; nothing was changed. Quote the X-Request-Id.',
} as const;
export type ProblemType = keyof typeof PROBLEM_TYPES;

export const problemUri = (type: ProblemType) => `urn:gatehouse:problem:${type}`;

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  type: ProblemType,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  return c.body(
    JSON.stringify({ type: problemUri(type), title: PROBLEM_TYPES[type], status, detail, ...extra }),
    status,
    { 'Content-Type': 'application/problem+json' },
  );
}

const RULE_TYPES: Record<RuleError['rule'], ProblemType> = {
  'last-admin': 'last-admin',
  rank: 'rank',
  'no-escalation': 'no-escalation',
  self: 'not-yourself',
  scope: 'scope',
  'invitation-limit': 'invitation-limit',
};

/** A domain refusal as its problem; null for anything else (a fault of ours). */
export function problemOf(c: Context, error: unknown) {
  if (!(error instanceof DomainError)) return null;
  if (error instanceof ValidationError)
    return problem(c, 422, 'validation', error.message, { errors: error.fields });
  if (error instanceof ForbiddenError) return problem(c, 403, 'forbidden', error.message);
  if (error instanceof RuleError) return problem(c, 403, RULE_TYPES[error.rule], error.message);
  if (error instanceof NotFoundError) return problem(c, 404, 'not-found', error.message);
  if (error instanceof ConflictError) return problem(c, 409, 'conflict', error.message);
  if (error instanceof RateLimitedError) {
    c.header('Retry-After', String(Math.ceil(error.retryAfter)));
    return problem(c, 429, 'rate-limited', error.message);
  }
  if (error instanceof ReauthenticationRequired)
    return problem(c, 403, 'recent-authentication', error.message);
  return problem(c, 409, 'conflict', error.message);
}
