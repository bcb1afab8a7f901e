import { z } from 'zod';
import { assertAccountManagerRemains, assertMayChangeAccessOf } from '../access/rules';
import { perform } from '../audit/perform';
import { userTarget } from '../audit/write';
import { deleteUserSessions } from '../auth/sessions/sessions';
import type { ActionContext } from '../core/context';
import { NotFoundError } from '../core/errors';
import { emailSchema, isUniqueViolation, nameSchema } from '../core/validation';
import type { Db } from '../db/connect';
import type { Language, User } from '../db/schema';
import { isLanguage } from '../i18n/messages';
import { UniquenessError } from './errors';
import { directoryText, optionalDirectoryText, parseDirectoryInput } from './validation';

/*
 * The directory's changes to people, each one perform() with a directory.* action (permission
 * directory.provision account-wide, one transaction, one audit event whose actor reads
 * "directory: <token name>"). People it makes come from 'scim' with no password, no access and
 * no email: they sign in through the company's single sign-on, or set a password with "forgot
 * password". Every change to someone is a change the token's owner must outrank them for (rank),
 * since their email is how they sign in; deactivation ends their sessions, and never leaves the
 * account without a manager.
 */

/** A person as the directory states them (SCIM attributes, read by user-resource.ts). */
export interface DirectoryUserInput {
  userName?: unknown;
  displayName?: unknown;
  givenName?: unknown;
  familyName?: unknown;
  /** Undefined: left as it is (a PUT that does not send it); null: cleared. */
  externalId?: unknown;
  /** Undefined: left as it is; false deactivates, true reactivates. */
  active?: unknown;
  preferredLanguage?: unknown;
  locale?: unknown;
}

const userSchema = z.object({
  userName: z.string({ error: 'userName is required: the person’s email address.' }).pipe(emailSchema),
  displayName: nameSchema,
  givenName: optionalDirectoryText('name.givenName', 100),
  familyName: optionalDirectoryText('name.familyName', 100),
  externalId: z
    .union([z.null(), directoryText('externalId', 255)], { error: 'externalId is a string.' })
    .optional()
    .transform((s) => (s === '' ? null : s)),
  active: z.boolean({ error: 'active is true or false.' }).optional(),
  preferredLanguage: optionalDirectoryText('preferredLanguage', 35),
  locale: optionalDirectoryText('locale', 35),
});
type UserData = z.output<typeof userSchema>;

/** The console's language named by a preferredLanguage like "fr" or "fr-CA", if Gatehouse has it. */
export function languageOf(preferred: string | null): Language | null {
  const primary = preferred?.split(/[-_]/)[0]?.toLowerCase();
  return isLanguage(primary) ? primary : null;
}

/** The columns the directory states, and how they read in the audit trail. */
function columnsOf(data: UserData, current: User | null) {
  return {
    email: data.userName,
    name: data.displayName,
    given_name: data.givenName,
    family_name: data.familyName,
    external_id: data.externalId === undefined ? (current?.external_id ?? null) : data.externalId,
    locale: data.locale,
    preferred_language: data.preferredLanguage,
    language: languageOf(data.preferredLanguage) ?? current?.language ?? 'en',
  };
}
type Columns = ReturnType<typeof columnsOf>;

const AUDIT_NAMES: Record<keyof Columns, string> = {
  email: 'email',
  name: 'name',
  given_name: 'givenName',
  family_name: 'familyName',
  external_id: 'externalId',
  locale: 'locale',
  preferred_language: 'preferredLanguage',
  language: 'language',
};

/** The directory sees people, not service accounts, and not those it removed (RFC 7644 §3.6). */
async function directoryUserForUpdate(tx: Db, id: string): Promise<User> {
  const user = z.uuid().safeParse(id).success
    ? await tx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', id)
        .where('service_account', '=', false)
        .where('directory_removed_at', 'is', null)
        .forUpdate()
        .executeTakeFirst()
    : undefined;
  if (!user) throw new NotFoundError('There is no such user.');
  return user;
}

const taken = (attribute: 'userName' | 'externalId', value: string) =>
  new UniquenessError(`${attribute} ${JSON.stringify(value)} is already taken by another user.`);

/** Not the person being changed: someone else already holding the email or external id. */
async function assertFree(
  tx: Db,
  data: { email: string; external_id: string | null },
  exceptId: string | null,
) {
  const email = await tx
    .selectFrom('users')
    .select('id')
    .where('email', '=', data.email)
    .$if(exceptId !== null, (q) => q.where('id', '<>', exceptId as string))
    .executeTakeFirst();
  if (email) throw taken('userName', data.email);
  if (data.external_id === null) return;
  const external = await tx
    .selectFrom('users')
    .select('id')
    .where('external_id', '=', data.external_id)
    .$if(exceptId !== null, (q) => q.where('id', '<>', exceptId as string))
    .executeTakeFirst();
  if (external) throw taken('externalId', data.external_id);
}

/** Which stated columns differ, as audit before/after (the names a reader knows). */
function differences(current: User, next: Columns) {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of Object.keys(next) as Array<keyof Columns>) {
    if (current[key] === next[key]) continue;
    before[AUDIT_NAMES[key]] = current[key];
    after[AUDIT_NAMES[key]] = next[key];
  }
  return { before, after };
}

/**
 * POST /Users: a new person from the directory, or, when the directory removed someone with this
 * userName or externalId earlier, that person again (reactivated, the mark cleared, rank
 * permitting). Anyone else holding either is a uniqueness refusal.
 */
export async function provisionUser(
  ctx: ActionContext,
  input: DirectoryUserInput,
): Promise<{ id: string; reprovisioned: boolean }> {
  const data = parseDirectoryInput(userSchema, input);
  const now = ctx.clock.now();
  try {
    return await perform<{ id: string; reprovisioned: boolean }>(ctx, 'directory.user_create', async (tx) => {
      const sameEmail = await tx
        .selectFrom('users')
        .selectAll()
        .where('email', '=', data.userName)
        .forUpdate()
        .executeTakeFirst();
      const sameExternal = data.externalId
        ? await tx
            .selectFrom('users')
            .selectAll()
            .where('external_id', '=', data.externalId)
            .forUpdate()
            .executeTakeFirst()
        : undefined;
      if (sameEmail && !sameEmail.directory_removed_at) throw taken('userName', data.userName);
      if (sameExternal && !sameExternal.directory_removed_at)
        throw taken('externalId', data.externalId ?? '');
      if (sameEmail && sameExternal && sameEmail.id !== sameExternal.id)
        throw taken('externalId', data.externalId ?? '');
      const earlier = sameEmail ?? sameExternal;
      if (earlier) {
        await assertMayChangeAccessOf(tx, ctx, [earlier.id], 'your own account this way');
        const columns = columnsOf(data, earlier);
        const deactivatedAt = data.active === false ? (earlier.deactivated_at ?? now) : null;
        await tx
          .updateTable('users')
          .set({ ...columns, deactivated_at: deactivatedAt, directory_removed_at: null })
          .where('id', '=', earlier.id)
          .execute();
        const { before, after } = differences(earlier, columns);
        return {
          result: { id: earlier.id, reprovisioned: true },
          target: userTarget({ id: earlier.id, email: columns.email }),
          projectId: null,
          before: { ...before, status: 'removed by the directory' },
          after: { ...after, status: deactivatedAt ? 'deactivated' : 'active', reprovisioned: true },
        };
      }
      const columns = columnsOf(data, null);
      const user = await tx
        .insertInto('users')
        .values({
          ...columns,
          source: 'scim',
          deactivated_at: data.active === false ? now : null,
          created_at: now,
          created_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
        })
        .returning(['id', 'email'])
        .executeTakeFirstOrThrow();
      return {
        result: { id: user.id, reprovisioned: false },
        target: userTarget(user),
        projectId: null,
        after: {
          email: columns.email,
          name: columns.name,
          externalId: columns.external_id,
          status: data.active === false ? 'deactivated' : 'active',
        },
      };
    });
  } catch (error) {
    // Two creations racing past the checks meet the unique indexes instead.
    if (isUniqueViolation(error)) throw taken('userName', data.userName);
    throw error;
  }
}

/** Thrown inside the transaction when a change changes nothing: no audit event, nothing written. */
class Unchanged extends Error {}

/**
 * PUT and PATCH /Users/{id}: `change` states the person from their current row (PUT: the body;
 * PATCH: the current resource with the operations applied), read in the transaction that writes
 * it, so two changes at once never undo each other. A change that changes nothing is not one.
 */
export async function updateDirectoryUser(
  ctx: ActionContext,
  id: string,
  change: (current: User) => DirectoryUserInput,
): Promise<void> {
  try {
    await perform(ctx, 'directory.user_update', async (tx) => {
      const user = await directoryUserForUpdate(tx, id);
      const data = parseDirectoryInput(userSchema, change(user));
      const columns = columnsOf(data, user);
      const { before, after } = differences(user, columns);
      const deactivate = data.active === false && !user.deactivated_at;
      const reactivate = data.active === true && user.deactivated_at !== null;
      if (Object.keys(after).length === 0 && !deactivate && !reactivate) throw new Unchanged();
      await assertMayChangeAccessOf(tx, ctx, [id], 'your own account this way');
      await assertFree(tx, columns, id);
      await tx
        .updateTable('users')
        .set({
          ...columns,
          ...(deactivate ? { deactivated_at: ctx.clock.now() } : {}),
          ...(reactivate ? { deactivated_at: null } : {}),
        })
        .where('id', '=', id)
        .execute();
      let endedSessions: number | undefined;
      if (deactivate) {
        endedSessions = await deleteUserSessions(tx, id, null, ctx.jobs);
        await assertAccountManagerRemains(tx);
      }
      if (deactivate || reactivate) {
        before.status = deactivate ? 'active' : 'deactivated';
        after.status = deactivate ? 'deactivated' : 'active';
      }
      return {
        result: undefined,
        target: userTarget({ id, email: user.email }),
        projectId: null,
        before,
        after: endedSessions === undefined ? after : { ...after, endedSessions },
      };
    });
  } catch (error) {
    if (error instanceof Unchanged) return;
    if (isUniqueViolation(error))
      throw new UniquenessError('userName or externalId is already taken by another user.');
    throw error;
  }
}

/**
 * DELETE /Users/{id}: Gatehouse never deletes a person for the directory. They are deactivated
 * (sessions end) and marked removed: the directory no longer sees them (404, left out of lists),
 * their memberships of the directory's teams end, and they stay, deactivated and marked, until an
 * admin deletes them, or the directory provisions them again.
 */
export async function removeDirectoryUser(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'directory.user_remove', async (tx) => {
    const user = await directoryUserForUpdate(tx, id);
    await assertMayChangeAccessOf(tx, ctx, [id], 'your own account this way');
    const now = ctx.clock.now();
    await tx
      .updateTable('users')
      .set({ deactivated_at: user.deactivated_at ?? now, directory_removed_at: now })
      .where('id', '=', id)
      .execute();
    const endedSessions = await deleteUserSessions(tx, id, null, ctx.jobs);
    const left = await tx
      .deleteFrom('team_members')
      .where('user_id', '=', id)
      .where('source', '=', 'scim')
      .returning('team_id')
      .execute();
    await assertAccountManagerRemains(tx);
    return {
      result: undefined,
      target: userTarget(user),
      projectId: null,
      before: { status: user.deactivated_at ? 'deactivated' : 'active' },
      after: { status: 'deactivated', removedByDirectory: true, endedSessions, teamsLeft: left.length },
    };
  });
}
