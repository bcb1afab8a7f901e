import type { Context } from 'hono';
import { RuleError } from '../access/rules';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  ReauthenticationRequired,
  ValidationError,
} from '../core/errors';
import type { AppEnv } from './env';
import { sendTo } from './guard';
import { renderStatusPage } from './render';

export type FormErrors = Record<string, string>;

/** The statuses a refused form is shown again with: bad input, a broken rule, a missing permission. */
export type RefusalStatus = 422 | 409 | 403;

/** What a page builder is given: a first showing (200) or a refusal. */
export type PageStatus = 200 | RefusalStatus;

/** 429 with Retry-After: the same for every address, so it tells nothing about accounts. */
export function tooManyAttempts<E extends AppEnv>(c: Context<E>, retryAfterSeconds: number) {
  c.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  return renderStatusPage(c, 429);
}

/** Seconds until a moment, for Retry-After. */
export const secondsUntil = (when: Date, now: Date) => (when.getTime() - now.getTime()) / 1000;

/**
 * Turns a domain refusal into the form shown again with its message: 422 for bad input, 409 for
 * a rule or conflict, 403 for a missing permission; 404 for an unknown id; the confirm-password
 * page when the action needs a recent sign-in. Anything else is a bug and goes on to the 500 handler.
 * The page shown again looks its subject up anew: when that is gone (an unknown id whose input
 * was refused first, or a row deleted meanwhile), the answer is 404 too.
 */
export function renderRefusal<E extends AppEnv>(
  c: Context<E>,
  error: unknown,
  renderForm: (errors: FormErrors, status: RefusalStatus) => Response | Promise<Response>,
) {
  const render = async (errors: FormErrors, status: RefusalStatus) => {
    try {
      return await renderForm(errors, status);
    } catch (lookup) {
      if (lookup instanceof NotFoundError) return renderStatusPage(c, 404);
      throw lookup;
    }
  };
  if (error instanceof ValidationError) return render(error.fields, 422);
  if (error instanceof RuleError || error instanceof ConflictError)
    return render({ form: error.message }, 409);
  if (error instanceof ForbiddenError) return render({ form: error.message }, 403);
  if (error instanceof NotFoundError) return renderStatusPage(c, 404);
  if (error instanceof RateLimitedError) return tooManyAttempts(c, error.retryAfter);
  // The form's own page is a GET of the same path: the user comes back to it after confirming.
  if (error instanceof ReauthenticationRequired)
    return sendTo(c, `/account/confirm?next=${encodeURIComponent(c.req.path)}`);
  throw error;
}
