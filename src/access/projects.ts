import { z } from 'zod';
import { perform } from '../audit/perform';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { plural } from '../core/plural';
import { isUniqueViolation, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import { grantsOf } from './grants';
import { assertAccountManagerRemains, assertOutranks } from './rules';

export interface ProjectSummary {
  id: string;
  name: string;
  bindings: number;
  createdAt: Date;
}

export async function listProjects(db: Db): Promise<ProjectSummary[]> {
  const rows = await db
    .selectFrom('projects as p')
    .select((eb) => [
      'p.id',
      'p.name',
      'p.created_at as createdAt',
      eb
        .selectFrom('role_bindings as b')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('b.project_id', '=', 'p.id')
        .as('bindings'),
    ])
    .orderBy('p.name')
    .execute();
  return rows.map((r) => ({ ...r, bindings: Number(r.bindings) }));
}

/** A project's name, or '' for one that is gone (a page shown as it was being deleted). */
export async function projectName(db: Db, id: string): Promise<string> {
  const row = await db.selectFrom('projects').select('name').where('id', '=', id).executeTakeFirst();
  return row?.name ?? '';
}

/** The projects a user may switch to: all with an account-wide binding, else those bound. */
export async function projectsVisibleTo(
  db: Db,
  userId: string,
  now: Date,
): Promise<Array<{ id: string; name: string }>> {
  const grants = await grantsOf(db, userId, now);
  const all = await db.selectFrom('projects').select(['id', 'name']).orderBy('name').execute();
  if (grants.some((g) => g.projectId === null)) return all;
  const bound = new Set(grants.map((g) => g.projectId));
  return all.filter((p) => bound.has(p.id));
}

const nameSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name for the project.')
    .max(100, 'Use at most 100 characters for the name.'),
});

const duplicateName = (name: string) =>
  new ValidationError({ name: `A project named ${name} already exists.` });

export async function createProject(ctx: ActionContext, input: { name?: unknown }): Promise<string> {
  const { name } = parseInput(nameSchema, input);
  try {
    return await perform(ctx, 'project.create', async (tx) => {
      const row = await tx.insertInto('projects').values({ name }).returning('id').executeTakeFirstOrThrow();
      return {
        result: row.id,
        target: { type: 'project', id: row.id, label: name },
        projectId: row.id,
        after: { name },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
}

async function projectForUpdate(tx: Db, id: string) {
  const project = z.uuid().safeParse(id).success
    ? await tx.selectFrom('projects').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  if (!project) throw new NotFoundError('There is no such project.');
  return project;
}

export async function renameProject(ctx: ActionContext, id: string, input: { name?: unknown }) {
  const { name } = parseInput(nameSchema, input);
  try {
    await perform(ctx, 'project.rename', async (tx) => {
      const project = await projectForUpdate(tx, id);
      await tx.updateTable('projects').set({ name }).where('id', '=', id).execute();
      return {
        result: undefined,
        target: { type: 'project', id, label: name },
        projectId: id,
        before: { name: project.name },
        after: { name },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateName(name);
    throw error;
  }
}

export async function projectBindingCount(db: Db, id: string): Promise<number> {
  const row = await db
    .selectFrom('role_bindings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('project_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Deletes a project. Refused while it has role bindings unless the admin confirms their removal,
 * and always for the last project. Removing bindings acts on their people: the actor must
 * outrank each of them.
 */
export async function deleteProject(ctx: ActionContext, id: string, input: { removeBindings: boolean }) {
  return perform(ctx, 'project.delete', async (tx) => {
    const project = await projectForUpdate(tx, id);
    const count = await tx
      .selectFrom('projects')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(count.n) <= 1)
      throw new ConflictError('This is the only project; there must always be at least one.');
    const bindings = await tx
      .selectFrom('role_bindings as b')
      .leftJoin('team_members as m', 'm.team_id', 'b.team_id')
      .innerJoin('users as u', (join) =>
        join.on((eb) => eb('u.id', '=', eb.fn.coalesce('b.user_id', 'm.user_id'))),
      )
      .select(['u.id', 'u.email'])
      .where('b.project_id', '=', id)
      .execute();
    const bindingCount = await projectBindingCount(tx, id);
    if (bindingCount > 0 && !input.removeBindings) {
      throw new ConflictError(
        `${project.name} still has ${plural(bindingCount, 'role binding')}. Confirm that ${bindingCount === 1 ? 'it goes' : 'they go'} with the project.`,
      );
    }
    const actorId = ctx.actor.kind === 'user' ? ctx.actor.id : null;
    await assertOutranks(
      tx,
      ctx,
      bindings.map((b) => b.id).filter((id) => id !== actorId),
    );
    await tx.deleteFrom('projects').where('id', '=', id).execute();
    await assertAccountManagerRemains(tx);
    return {
      result: { removedBindings: bindingCount },
      target: { type: 'project', id, label: project.name },
      projectId: null,
      before: { name: project.name, bindings: bindingCount },
    };
  });
}

/** Moves the session to another project the user can see; lists and permissions follow. */
export async function switchProject(ctx: ActionContext, sessionId: string, input: { projectId?: unknown }) {
  const projectId = String(input.projectId ?? '');
  await perform(ctx, 'session.switch_project', async (tx) => {
    if (ctx.actor.kind !== 'user') throw new NotFoundError('There is no such project.');
    const visible = await projectsVisibleTo(tx, ctx.actor.id, ctx.clock.now());
    const project = visible.find((p) => p.id === projectId);
    if (!project) throw new ValidationError({ projectId: 'Choose one of your projects.' });
    await tx.updateTable('sessions').set({ project_id: project.id }).where('id', '=', sessionId).execute();
    return {
      result: undefined,
      target: { type: 'project', id: project.id, label: project.name },
      projectId: project.id,
    };
  });
}
