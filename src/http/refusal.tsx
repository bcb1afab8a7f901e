import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ReauthenticationRequired,
  ValidationError,
} from '../domain/errors';
import { RuleError } from '../domain/rules';
import type { AppEnv } from './env';
import { sendTo } from './guard';
import { renderStatusPage } from './render';

export type FormErrors = Record<string, string>;

/**
 * Turns a domain refusal into the form shown again with its message: 422 for bad input, 409 for
 * a rule or conflict, 403 for a missing permission; 404 for an unknown id; the confirm-password
 * page when the action needs a recent sign-in. Anything else is a bug and goes on to the 500 handler.
 */
export function renderRefusal(
  c: Context<AppEnv>,
  error: unknown,
  render: (errors: FormErrors, status: ContentfulStatusCode) => Response | Promise<Response>,
) {
  if (error instanceof ValidationError) return render(error.fields, 422);
  if (error instanceof RuleError || error instanceof ConflictError)
    return render({ form: error.message }, 409);
  if (error instanceof ForbiddenError) return render({ form: error.message }, 403);
  if (error instanceof NotFoundError) return renderStatusPage(c, 404);
  // The form's own page is a GET of the same path: the user comes back to it after confirming.
  if (error instanceof ReauthenticationRequired)
    return sendTo(c, `/account/confirm?next=${encodeURIComponent(c.req.path)}`);
  throw error;
}
