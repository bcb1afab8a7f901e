import type { ActionContext } from '../core/context';
import { ConflictError } from '../core/errors';

/** The signed-in user whose own account an action is about: My account is never anyone else's. */
export function self(ctx: ActionContext) {
  if (ctx.actor.kind !== 'user') throw new ConflictError('My account is for a signed-in user.');
  return ctx.actor;
}
