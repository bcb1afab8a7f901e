import { sql } from 'kysely';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { getSettings } from '../../src/account/read-settings';
import { hashPassword } from '../../src/auth/passwords/hashing';
import { createSession, SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { encryptSecret } from '../../src/auth/two-factor/secret-box';
import { newTotpSecret } from '../../src/auth/two-factor/totp';
import type { ActionContext } from '../../src/core/context';
import type { Db } from '../../src/db/connect';
import type { TestApp } from './app';
import { Client } from './http';

export const FIXTURE_PASSWORD = 'fixture password 1234';
let hash: Promise<string> | undefined;
export const fixtureHash = () => {
  hash ??= hashPassword(FIXTURE_PASSWORD);
  return hash;
};

let counter = 0;

/** A user with a password and, optionally, a built-in role (account-wide unless a project is given). */
export async function makeUser(
  db: Db,
  options: { role?: string | null; projectId?: string | null; name?: string; email?: string } = {},
): Promise<{ id: string; email: string; name: string }> {
  counter++;
  const email = options.email ?? `${options.role ?? 'nobody'}-${counter}@example.com`;
  const name = options.name ?? `${options.role ?? 'No role'} person ${counter}`;
  const user = await db
    .insertInto('users')
    .values({ email, name, password_hash: await fixtureHash() })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (options.role)
    await bind(db, { userId: user.id, roleKey: options.role, projectId: options.projectId ?? null });
  return { id: user.id, email, name };
}

/** `count` people with the fixture password, Member 00… and m0@example.com…, in one insert. */
export async function makeMembers(db: Db, count: number): Promise<void> {
  const hash = await fixtureHash();
  await db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => ({
        name: `Member ${String(i).padStart(2, '0')}`,
        email: `m${i}@example.com`,
        password_hash: hash,
      })),
    )
    .execute();
}

export async function bind(
  db: Db,
  input: {
    userId?: string;
    teamId?: string;
    roleKey: string;
    projectId?: string | null;
    expiresAt?: Date | null;
  },
): Promise<string> {
  const row = await db
    .insertInto('role_bindings')
    .values({
      user_id: input.userId ?? null,
      team_id: input.teamId ?? null,
      role_id: await builtinRoleId(db, input.roleKey),
      project_id: input.projectId ?? null,
      expires_at: input.expiresAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Gives the user an authenticator key (as enrolment would) and returns it in base32, for
 * oathtool or totpCode. Their sessions from clientFor count as having passed the code step.
 */
export async function enrolTotp(t: TestApp, userId: string): Promise<string> {
  const secret = newTotpSecret();
  await t.db
    .updateTable('users')
    .set({ totp_secret: encryptSecret(t.config.secretKey, secret) })
    .where('id', '=', userId)
    .execute();
  return secret;
}

/** A signed-in client without the cost of a password check: a session made directly. */
export async function clientFor(t: TestApp, userId: string): Promise<Client> {
  const token = await createSession(t.db, {
    userId,
    now: t.clock.now(),
    settings: await getSettings(t.db),
    ip: null,
    userAgent: 'test',
    twoFactorVerified: true,
  });
  const client = new Client(t.app);
  client.cookies.set(SESSION_COOKIE, token);
  return client;
}

/** The domain context of a user acting in the default project. */
export async function actorContext(
  t: TestApp,
  user: { id: string; email: string; name: string },
): Promise<ActionContext> {
  return {
    ...t.system,
    actor: {
      kind: 'user',
      id: user.id,
      email: user.email,
      name: user.name,
      projectId: await defaultProjectId(t.db),
      permissions: new Set(),
    },
  };
}

/** Everything but the seeded rows: each case of a table-driven test starts from here. */
export async function resetData(db: Db): Promise<void> {
  await sql`delete from identity_providers`.execute(db);
  await sql`delete from sso_used_assertions`.execute(db);
  await sql`delete from invitations`.execute(db);
  await sql`delete from role_bindings`.execute(db);
  await sql`delete from team_members`.execute(db);
  await sql`delete from teams`.execute(db);
  await sql`delete from sessions`.execute(db);
  await sql`delete from one_time_tokens`.execute(db);
  await sql`delete from rate_limits`.execute(db);
  await sql`delete from refusal_counts`.execute(db);
  await sql`delete from users`.execute(db);
  await sql`update account_settings set passwords_reset_at = null, passwords_reset_by = null`.execute(db);
  await sql`delete from roles where key is null`.execute(db);
  await sql`delete from projects where id <> (select id from projects order by created_at, id limit 1)`.execute(
    db,
  );
}

/** The rows an access change could touch, as one comparable value (sessions and audit aside). */
export async function snapshot(db: Db): Promise<string> {
  const tables = [
    'users',
    'role_bindings',
    'roles',
    'teams',
    'team_members',
    'projects',
    'account_settings',
    'invitations',
    'identity_providers',
    'sso_domains',
    'sso_group_teams',
    'user_identities',
  ] as const;
  const parts: Record<string, unknown> = {};
  for (const table of tables) {
    parts[table] = (await sql`select * from ${sql.table(table)} order by 1, 2`.execute(db)).rows;
  }
  return JSON.stringify(parts);
}
