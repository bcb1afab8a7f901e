import type { Context } from 'hono';
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
import { isUniqueViolation, isValueRefused } from '../core/validation';

/*
 * SCIM's one error shape (RFC 7644 §3.12): every refusal of the SCIM endpoint is one of these,
 * with the HTTP status as a string and, for a 400 or 409, the scimType a client branches on.
 */

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

/** A refusal raised by the SCIM layer itself (a filter, a path, a body), answered as it says. */
export class ScimError extends Error {
  override name = 'ScimError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500,
    readonly scimType: ScimType | null,
    detail: string,
  ) {
    super(detail);
  }
}

export const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
export const invalidSyntax = (detail: string) => new ScimError(400, 'invalidSyntax', detail);
export const invalidFilter = (detail: string) => new ScimError(400, 'invalidFilter', detail);
export const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
export const notFound = (what: 'User' | 'Group', id: string) =>
  new ScimError(404, null, `There is no ${what} with the id ${JSON.stringify(id.slice(0, 100))}.`);

/** A directory change that would take a userName, externalId or team name already in use. */
export class UniquenessError extends ConflictError {
  override name = 'UniquenessError';
}

export function scimError(c: Context, status: number, scimType: ScimType | null, detail: string) {
  const body: Record<string, unknown> = { schemas: [ERROR_SCHEMA], status: String(status) };
  if (scimType) body.scimType = scimType;
  body.detail = detail;
  return c.body(JSON.stringify(body), status as 400, { 'Content-Type': SCIM_CONTENT_TYPE });
}

/**
 * An error as the SCIM answer it calls for: the SCIM layer's own, the domain's refusals (rules
 * are 403 with the rule's message), and the database refusing a value or a duplicate (a check
 * was raced or is missing: still the client's input). Null for a fault of ours.
 */
export function scimErrorOf(
  error: unknown,
): { status: number; scimType: ScimType | null; detail: string; retryAfter?: number } | null {
  if (error instanceof ScimError)
    return { status: error.status, scimType: error.scimType, detail: error.message };
  if (error instanceof DomainError) {
    if (error instanceof UniquenessError)
      return { status: 409, scimType: 'uniqueness', detail: error.message };
    if (error instanceof ValidationError)
      return { status: 400, scimType: 'invalidValue', detail: error.message };
    if (
      error instanceof ForbiddenError ||
      error instanceof RuleError ||
      error instanceof ReauthenticationRequired
    )
      return { status: 403, scimType: null, detail: error.message };
    if (error instanceof NotFoundError) return { status: 404, scimType: null, detail: error.message };
    if (error instanceof RateLimitedError)
      return { status: 429, scimType: null, detail: error.message, retryAfter: error.retryAfter };
    return { status: 409, scimType: null, detail: error.message };
  }
  if (isUniqueViolation(error))
    return {
      status: 409,
      scimType: 'uniqueness',
      detail: 'That value is already taken by another resource.',
    };
  if (isValueRefused(error))
    return {
      status: 400,
      scimType: 'invalidValue',
      detail: 'A value in this request is not one Gatehouse accepts.',
    };
  return null;
}
