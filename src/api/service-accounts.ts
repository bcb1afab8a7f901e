import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import type { ActionContext } from '../core/context';
import { nameSchema, parseInput } from '../core/validation';

/**
 * Service accounts are users that never sign in: no password (so no sign-in, no reset), an
 * address in the reserved .invalid domain (RFC 2606: nothing is ever delivered there), their own
 * role bindings like anyone's, listed with a "Service account" badge. They act through API tokens.
 */
export const SERVICE_ACCOUNT_DOMAIN = 'service-accounts.invalid';

const createSchema = z.object({
  name: nameSchema.pipe(z.string().max(100, 'Use at most 100 characters for the name.')),
});

export async function createServiceAccount(
  ctx: ActionContext,
  input: { name?: unknown },
): Promise<{ id: string; email: string; name: string }> {
  const { name } = parseInput(createSchema, input);
  const slug =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'service';
  const email = `${slug}.${randomBytes(4).toString('hex')}@${SERVICE_ACCOUNT_DOMAIN}`;
  const now = ctx.clock.now();
  return perform(ctx, 'service_account.create', async (tx) => {
    const account = await tx
      .insertInto('users')
      .values({
        name,
        email,
        service_account: true,
        created_at: now,
        created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
      })
      .returning(['id', 'email', 'name'])
      .executeTakeFirstOrThrow();
    return {
      result: account,
      target: userTarget(account),
      projectId: null,
      after: { name, serviceAccount: true },
    };
  });
}
