import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { perform } from '../../src/audit/perform';
import type { ActionContext } from '../../src/core/context';
import { ForbiddenError } from '../../src/core/errors';
import { makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();
let projectId: string;
beforeAll(async () => {
  projectId = (await t.db.selectFrom('projects').select('id').executeTakeFirstOrThrow()).id;
});

async function userActor(roleKey: string | null): Promise<ActionContext> {
  const user = await makeUser(t.db, { role: roleKey, name: 'Test Person' });
  return {
    ...t.system,
    actor: {
      kind: 'user',
      id: user.id,
      email: user.email,
      name: user.name,
      projectId,
      permissions: new Set(),
    },
    meta: { ip: '203.0.113.9', requestId: 'req-1', userAgent: 'test' },
  };
}

const rename = (ctx: ActionContext, name: string, fail = false) =>
  perform(ctx, 'account.settings_update', async (tx) => {
    const before = await tx.selectFrom('account_settings').select('account_name').executeTakeFirstOrThrow();
    await tx.updateTable('account_settings').set({ account_name: name }).execute();
    if (fail) throw new Error('invariant broken half-way');
    return { result: name, before, after: { account_name: name }, target: { type: 'account', id: '1' } };
  });

const accountName = async () =>
  (await t.db.selectFrom('account_settings').select('account_name').executeTakeFirstOrThrow()).account_name;

describe('perform: permission, change and audit in one transaction', () => {
  it('writes the change and its audit event together, with before, after, IP and request id', async () => {
    const ctx = await userActor('account_admin');
    await rename(ctx, 'Acme');
    expect(await accountName()).toBe('Acme');
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      action: 'account.settings_update',
      outcome: 'success',
      actor_label: ctx.actor.kind === 'user' ? ctx.actor.email : '',
      ip: '203.0.113.9',
      request_id: 'req-1',
      project_id: projectId,
      before: { account_name: 'Gatehouse' },
      after: { account_name: 'Acme' },
    });
  });

  it('checks the permission in the database, not the set the caller passed', async () => {
    const ctx = await userActor('admin');
    const forged = {
      ...ctx,
      actor: { ...ctx.actor, permissions: new Set(['account.settings']) },
    } as ActionContext;
    await expect(rename(forged, 'Forged')).rejects.toBeInstanceOf(ForbiddenError);
    expect(await accountName()).toBe('Acme');
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      action: 'account.settings_update',
      outcome: 'denied',
      reason: 'missing permission account.settings',
    });
  });

  it('refuses anonymous actors, records the attempt, and changes nothing', async () => {
    await expect(rename({ ...t.system, actor: { kind: 'anonymous' } }, 'Anon')).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await accountName()).toBe('Acme');
    const event = await t.db
      .selectFrom('audit_events')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      action: 'account.settings_update',
      outcome: 'denied',
      actor_label: 'anonymous',
      actor_id: null,
    });
  });

  it('stores any JSON value the same way on both databases', async () => {
    const values: unknown[] = ['a string', 42, ['x', 'y'], { nested: { list: [1, 2] } }, true];
    for (const value of values) {
      await perform(t.system, 'account.settings_update', async () => ({
        result: null,
        before: value,
        after: value,
      }));
      const event = await t.db
        .selectFrom('audit_events')
        .select(['before', 'after'])
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(event.before).toEqual(value);
      expect(event.after).toEqual(value);
    }
  });

  it('leaves nothing half-written when the action fails', async () => {
    const ctx = await userActor('account_admin');
    const count = async () =>
      Number((await sql<{ n: number }>`select count(*) as n from audit_events`.execute(t.db)).rows[0]?.n);
    const before = await count();
    await expect(rename(ctx, 'Half', true)).rejects.toThrow('invariant broken half-way');
    expect(await accountName()).toBe('Acme');
    expect(await count()).toBe(before);
  });
});
