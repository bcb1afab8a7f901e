import { SESSION_COOKIE } from '../../../src/auth/sessions/sessions';
import type { TestApp } from '../../helpers/app';
import { bind, clientFor, enrolTotp, makeUser } from '../../helpers/fixtures';
import { Client } from '../../helpers/http';
import { nextNumber } from './pools';
import type { Route } from './routes';

/** Who sends the requests: an Account Admin, a Viewer, no one, and a session waiting for its code. */
export type ActorName = 'admin' | 'viewer' | 'anonymous' | 'pending';
export interface Actor {
  name: ActorName;
  id: string | null;
  email: string;
  role: string | null;
  client: Client;
}
export const actors = new Map<ActorName, Actor>();
/** The account settings the fuzzing started with. */
let baseline: Record<string, unknown>;

/** The actors, signed in (the pending one with an authenticator, not past the code step). */
export async function setUpActors(t: TestApp) {
  const admin = await makeUser(t.db, { role: 'account_admin', email: 'fuzz-admin@example.com' });
  const viewer = await makeUser(t.db, { role: 'viewer', email: 'fuzz-viewer@example.com' });
  const pending = await makeUser(t.db, { role: 'editor', email: 'fuzz-pending@example.com' });
  await enrolTotp(t, pending.id);
  actors.set('admin', {
    name: 'admin',
    id: admin.id,
    email: admin.email,
    role: 'account_admin',
    client: await clientFor(t, admin.id),
  });
  actors.set('viewer', {
    name: 'viewer',
    id: viewer.id,
    email: viewer.email,
    role: 'viewer',
    client: await clientFor(t, viewer.id),
  });
  actors.set('pending', {
    name: 'pending',
    id: pending.id,
    email: pending.email,
    role: 'editor',
    client: new Client(t.app),
  });
  actors.set('anonymous', { name: 'anonymous', id: null, email: '', role: null, client: new Client(t.app) });
  baseline = (await t.db.selectFrom('account_settings').selectAll().executeTakeFirstOrThrow()) as Record<
    string,
    unknown
  >;
  delete baseline.id;
  await restore(t);
}

/**
 * The fuzzing users, signed in, as the fuzzing started, in the settings it started with: run
 * every few hundred requests, and for one actor as soon as an answer shows its session has gone
 * (sign-out, sign out everywhere, deactivation, deletion, a password reset, 2FA turned on...).
 * Nothing is left out of the fuzzing for fear of ending its sessions.
 */
export async function restore(t: TestApp, only?: Actor) {
  await t.db.updateTable('account_settings').set(baseline).execute();
  for (const actor of only ? [only] : actors.values()) {
    if (actor.name === 'anonymous') continue;
    let exists = actor.id
      ? await t.db.selectFrom('users').select('id').where('id', '=', actor.id).executeTakeFirst()
      : undefined;
    if (!exists) {
      const user = await makeUser(t.db, {
        role: actor.role,
        email: `fuzz-${actor.name}-${nextNumber()}@example.com`,
      });
      actor.id = user.id;
      actor.email = user.email;
      if (actor.name === 'pending') await enrolTotp(t, user.id);
      exists = { id: user.id };
    }
    const id = actor.id as string;
    await t.db
      .updateTable('users')
      .set({
        deactivated_at: null,
        locked_until: null,
        failed_login_count: 0,
        access_expires_at: null,
        must_enrol_two_factor: false,
        totp_failed_count: 0,
        totp_blocked_until: null,
        totp_pending_secret: null,
      })
      .where('id', '=', id)
      .execute();
    if (actor.name !== 'pending')
      await t.db.updateTable('users').set({ totp_secret: null }).where('id', '=', id).execute();
    // Only the role it started with: the admin may have given the viewer more, or taken it away.
    if (actor.name !== 'admin') {
      await t.db.deleteFrom('role_bindings').where('user_id', '=', id).execute();
      await t.db.deleteFrom('team_members').where('user_id', '=', id).execute();
    }
    const held = await t.db
      .selectFrom('role_bindings as b')
      .innerJoin('roles as r', 'r.id', 'b.role_id')
      .select('b.id')
      .where('b.user_id', '=', id)
      .where('r.key', '=', actor.role)
      .where('b.project_id', 'is', null)
      .where('b.expires_at', 'is', null)
      .executeTakeFirst();
    if (actor.role && !held) await bind(t.db, { userId: id, roleKey: actor.role });
    const token = actor.client.cookies.get(SESSION_COOKIE);
    const session = token
      ? await t.db
          .selectFrom('sessions')
          .select('id')
          .where('id', '=', token.split('.')[0] as string)
          .executeTakeFirst()
      : undefined;
    if (!session) {
      actor.client = await clientFor(t, id);
      if (actor.name === 'pending')
        await t.db
          .updateTable('sessions')
          .set({ two_factor_verified: false })
          .where('user_id', '=', id)
          .execute();
    }
    // A password confirmed just now: actions that ask for one run instead of asking.
    if (actor.name !== 'pending')
      await t.db
        .updateTable('sessions')
        .set({ reauthenticated_at: t.clock.now(), last_seen_at: t.clock.now() })
        .where('user_id', '=', id)
        .execute();
  }
}

/** The answer sends this actor to sign in again, or to enrol in 2FA first: put it back. */
export function sessionLost(actor: Actor, route: Route, response: Response): boolean {
  if (actor.name === 'anonymous') return false;
  const to = response.headers.get('location') ?? response.headers.get('hx-redirect') ?? '';
  // The 2FA pages send each other there in their normal course.
  return (
    /^\/login(\?|$)/.test(to) ||
    (to === '/account/two-factor' && !route.path.startsWith('/account/two-factor'))
  );
}
