import { z } from 'zod';
import { covers, grantsOf, projectIds } from '../access/grants';
import { setProjectRole } from '../access/project-role';
import { accountManagers } from '../access/rules';
import type { ActionContext } from '../core/context';
import { DomainError, ValidationError } from '../core/errors';
import { parseInput } from '../core/validation';
import { deactivateUser, deleteUser, reactivateUser } from './lifecycle';
import { resendSetPassword } from './security';
import { userStatus } from './status';

export const BULK_ACTIONS = {
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
  change_role: 'Change role in this project',
  resend: 'Resend set-password email',
  delete: 'Delete',
} as const;
export type BulkAction = keyof typeof BULK_ACTIONS;

const bulkSchema = z
  .object({
    action: z.enum(Object.keys(BULK_ACTIONS) as [BulkAction], {
      error: 'Choose what to do with the selected users.',
    }),
    ids: z
      .array(z.uuid())
      .min(1, 'Select at least one user.')
      .max(500, 'Select at most 500 users at a time.'),
    roleId: z.string().default(''),
  })
  .superRefine((v, ctx) => {
    if (v.action === 'change_role' && !z.uuid().safeParse(v.roleId).success) {
      ctx.addIssue({ code: 'custom', path: ['roleId'], message: 'Choose the new role.' });
    }
  });

export type BulkInput = { action?: unknown; ids?: unknown; roleId?: unknown };

export interface BulkItem {
  id: string;
  name: string;
  email: string;
  /** What will happen, or why the user is skipped. */
  outcome: string;
  skipped: boolean;
}

const DONE: Record<BulkAction, string> = {
  deactivate: 'will be deactivated',
  reactivate: 'will be reactivated',
  change_role: 'will get the new role in this project',
  resend: 'will get a new set-password email',
  delete: 'will be deleted',
};

/**
 * What a bulk action would do to each selected user, and who is skipped and why (yourself,
 * rank, last admin, or a state the action does not apply to). Nothing is changed.
 */
export async function previewBulk(ctx: ActionContext, input: BulkInput) {
  const data = parseInput(bulkSchema, input);
  const { db } = ctx;
  const now = ctx.clock.now();
  if (data.action === 'change_role') {
    const role = await db.selectFrom('roles').select('id').where('id', '=', data.roleId).executeTakeFirst();
    if (!role) throw new ValidationError({ roleId: 'Choose the new role from the list.' });
  }
  const users = await db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', data.ids)
    .orderBy('name')
    .execute();
  if (users.length === 0) throw new ValidationError({ ids: 'None of the selected users exist any more.' });
  const projects = await projectIds(db);
  const actorGrants = ctx.actor.kind === 'user' ? await grantsOf(db, ctx.actor.id, now) : null;
  const managers = new Set(await accountManagers(db));
  const removesManagers = data.action === 'deactivate' || data.action === 'delete';
  const remaining = removesManagers ? [...managers].filter((id) => !data.ids.includes(id)) : [...managers];
  const items: BulkItem[] = [];
  for (const user of users) {
    const status = userStatus(user, now);
    let reason: string | null = null;
    if (ctx.actor.kind === 'user' && user.id === ctx.actor.id) reason = 'skipped: that is you';
    else if (actorGrants && !covers(actorGrants, await grantsOf(db, user.id, now), projects)) {
      reason = 'skipped: has access you do not have';
    } else if (removesManagers && managers.has(user.id) && remaining.length === 0) {
      reason = 'skipped: the account would be left without an admin';
    } else if (data.action === 'deactivate' && status === 'Deactivated')
      reason = 'skipped: already deactivated';
    else if (data.action === 'reactivate' && status !== 'Deactivated') reason = 'skipped: not deactivated';
    else if (data.action === 'resend' && user.password_hash) reason = 'skipped: already set a password';
    items.push({
      id: user.id,
      name: user.name,
      email: user.email,
      outcome: reason ?? DONE[data.action],
      skipped: reason !== null,
    });
  }
  return { action: data.action, roleId: data.roleId, items };
}

export interface BulkResult {
  action: BulkAction;
  done: BulkItem[];
  refused: BulkItem[];
}

/**
 * Runs the action for each user through its own domain function, one transaction each: every
 * rule is checked again, and a refusal for one user does not stop the others.
 */
export async function runBulk(ctx: ActionContext, projectId: string, input: BulkInput): Promise<BulkResult> {
  const preview = await previewBulk(ctx, input);
  const result: BulkResult = { action: preview.action, done: [], refused: [] };
  for (const item of preview.items) {
    if (item.skipped) {
      result.refused.push(item);
      continue;
    }
    try {
      if (preview.action === 'deactivate') await deactivateUser(ctx, item.id);
      else if (preview.action === 'reactivate') await reactivateUser(ctx, item.id);
      else if (preview.action === 'delete') await deleteUser(ctx, item.id);
      else if (preview.action === 'resend') await resendSetPassword(ctx, item.id);
      else await setProjectRole(ctx, item.id, projectId, preview.roleId);
      result.done.push(item);
    } catch (error) {
      // One user's failure (a refusal, or an email that could not be sent) does not hide what
      // was already done for the others: it is reported with them.
      if (error instanceof DomainError) {
        result.refused.push({ ...item, outcome: `refused: ${error.message}`, skipped: true });
      } else {
        console.error(`bulk ${preview.action} failed for ${item.id}`, error);
        result.refused.push({
          ...item,
          outcome: 'failed: an unexpected error, logged for the administrators',
          skipped: true,
        });
      }
    }
  }
  return result;
}
