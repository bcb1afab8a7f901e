import { z } from 'zod';
import { actorGrantsOf, covers, grantsOf, projectIds } from '../access/grants';
import { setProjectRole } from '../access/project-role';
import { accountManagers } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { hasUsablePassword } from '../auth/passwords/reset-epoch';
import type { ActionContext } from '../core/context';
import { ValidationError } from '../core/errors';
import { plural } from '../core/plural';
import { parseInput } from '../core/validation';
import type { User } from '../db/schema';
import { BULK_ALL_MAX, matchingIds } from './bulk-matching';
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

/** At most this many ticked one by one; "all matching" goes up to BULK_ALL_MAX (bulk-matching.ts). */
export const BULK_PICKED_MAX = 500;
export { BULK_ALL_MAX };

const bulkSchema = (max: number) =>
  z
    .object({
      action: z.enum(Object.keys(BULK_ACTIONS) as [BulkAction], {
        error: 'Choose what to do with the selected users.',
      }),
      ids: z
        .array(z.uuid())
        .min(1, 'Select at least one user.')
        .max(max, `Select at most ${max.toLocaleString('en-US')} users at a time.`),
      roleId: z.string().default(''),
    })
    .superRefine((v, ctx) => {
      if (v.action === 'change_role' && !z.uuid().safeParse(v.roleId).success) {
        ctx.addIssue({ code: 'custom', path: ['roleId'], message: 'Choose the new role.' });
      }
    });

/**
 * `all: 'matching'` with `filter`, the users list's query: every user it matches, instead of `ids`;
 * `expected`, how many matched at the preview (the start refuses if the filter now matches another number).
 */
export type BulkInput = {
  action?: unknown;
  ids?: unknown;
  roleId?: unknown;
  all?: unknown;
  filter?: unknown;
  expected?: unknown;
};

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

export type BulkData = { action: BulkAction; ids: string[]; roleId: string };

/**
 * The input checked: a known action, 1-500 ids (or every user a filter matches, up to
 * BULK_ALL_MAX), and for a role change a role that exists.
 */
export async function parseBulk(
  ctx: Pick<ActionContext, 'db' | 'clock'>,
  projectId: string,
  input: BulkInput,
): Promise<BulkData & { filter: string | null }> {
  // An empty filter is the whole list: "all matching" is said by `all`, not by the filter.
  const filter = input.all === 'matching' ? String(input.filter ?? '').slice(0, 4000) : null;
  const ids = filter !== null ? await matchingIds(ctx, projectId, filter) : input.ids;
  // "Delete all 250" must not reach people the preview never counted.
  if (
    filter !== null &&
    typeof input.expected === 'string' &&
    Array.isArray(ids) &&
    Number(input.expected) !== ids.length
  ) {
    throw new ValidationError({
      ids: `The filters now match ${plural(ids.length, 'user')}, not the ${plural(Number(input.expected) || 0, 'user')} of the preview: check again before you confirm.`,
    });
  }
  const data = parseInput(bulkSchema(filter !== null ? BULK_ALL_MAX : BULK_PICKED_MAX), { ...input, ids });
  if (data.action === 'change_role') {
    const role = await ctx.db
      .selectFrom('roles')
      .select('id')
      .where('id', '=', data.roleId)
      .executeTakeFirst();
    if (!role) throw new ValidationError({ roleId: 'Choose the new role from the list.' });
  }
  return { action: data.action, ids: [...new Set(data.ids)], roleId: data.roleId, filter };
}

/**
 * Why each of these users would be skipped (yourself, rank, last admin, or a state the action
 * does not apply to), or null where the action applies. The preview asks it for the whole
 * selection; the job asks again for each batch as it runs, and the domain functions check once more.
 */
export async function skipReasons(
  ctx: Pick<ActionContext, 'db' | 'clock' | 'actor'>,
  data: BulkData,
  users: User[],
): Promise<Map<string, string | null>> {
  const { db } = ctx;
  const now = ctx.clock.now();
  const projects = await projectIds(db);
  const actorGrants = ctx.actor.kind === 'user' ? await actorGrantsOf(db, ctx.actor, now) : null;
  const managers = new Set(await accountManagers(db));
  const settings = await getSettings(db);
  const removesManagers = data.action === 'deactivate' || data.action === 'delete';
  const remaining = removesManagers ? [...managers].filter((id) => !data.ids.includes(id)) : [...managers];
  const reasons = new Map<string, string | null>();
  for (const user of users) {
    const passwordSet = hasUsablePassword(user, settings);
    const status = userStatus({ ...user, password_hash: passwordSet ? user.password_hash : null }, now);
    let reason: string | null = null;
    if (ctx.actor.kind === 'user' && user.id === ctx.actor.id) reason = 'that is you';
    else if (actorGrants && !covers(actorGrants, await grantsOf(db, user.id, now), projects)) {
      reason = 'has access you do not have';
    } else if (removesManagers && managers.has(user.id) && remaining.length === 0) {
      reason = 'the account would be left without an admin';
    } else if (data.action === 'deactivate' && status === 'Deactivated') reason = 'already deactivated';
    else if (data.action === 'reactivate' && status !== 'Deactivated') reason = 'not deactivated';
    else if (data.action === 'resend' && passwordSet) reason = 'already set a password';
    reasons.set(user.id, reason);
  }
  return reasons;
}

/**
 * For "all matching", the preview names the first this many (by name): every one is checked again
 * as the action runs, and the report lists each.
 */
export const PREVIEW_SAMPLE = 100;

/** What a bulk action would do to each selected user, and who is skipped and why. Nothing is changed. */
export async function previewBulk(ctx: ActionContext, projectId: string, input: BulkInput) {
  const data = await parseBulk(ctx, projectId, input);
  const users = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', data.filter !== null ? data.ids.slice(0, PREVIEW_SAMPLE) : data.ids)
    .orderBy('name')
    .execute();
  if (users.length === 0) throw new ValidationError({ ids: 'None of the selected users exist any more.' });
  const reasons = await skipReasons(ctx, data, users);
  const items: BulkItem[] = users.map((user) => {
    const reason = reasons.get(user.id) ?? null;
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      outcome: reason ? `skipped: ${reason}` : DONE[data.action],
      skipped: reason !== null,
    };
  });
  return {
    action: data.action,
    roleId: data.roleId,
    items,
    all: data.filter !== null ? { filter: data.filter, total: data.ids.length } : null,
  };
}

/** Does the action to one user through its own domain function (a transaction of its own). */
export async function applyBulk(ctx: ActionContext, data: BulkData, projectId: string, userId: string) {
  if (data.action === 'deactivate') await deactivateUser(ctx, userId);
  else if (data.action === 'reactivate') await reactivateUser(ctx, userId);
  else if (data.action === 'delete') await deleteUser(ctx, userId);
  else if (data.action === 'resend') await resendSetPassword(ctx, userId);
  else await setProjectRole(ctx, userId, projectId, data.roleId);
}
