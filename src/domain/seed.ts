import { sql } from 'kysely';
import { hashPassword } from '../auth/passwords';
import { defaultProjectId } from './access';
import { perform } from './audit';
import type { ActionContext } from './context';

/** Every seeded person signs in with this password (development and benchmarks only). */
export const SEED_PASSWORD = 'seeded password 2026';

const FIRST = [
  'Ada',
  'Alan',
  'Barbara',
  'Claude',
  'Donald',
  'Edsger',
  'Frances',
  'Grace',
  'Hedy',
  'Ivan',
  'John',
  'Karen',
  'Linus',
  'Margaret',
  'Niklaus',
  'Ole',
  'Radia',
  'Shafi',
  'Tim',
  'Vint',
  'Whitfield',
  'Xiaoyuan',
  'Yukihiro',
  'Zhores',
  'Anita',
  'Bjarne',
  'Carol',
  'Dennis',
  'Elena',
  'Fernando',
];
const LAST = [
  'Lovelace',
  'Turing',
  'Liskov',
  'Shannon',
  'Knuth',
  'Dijkstra',
  'Allen',
  'Hopper',
  'Lamarr',
  'Sutherland',
  'McCarthy',
  'Jones',
  'Torvalds',
  'Hamilton',
  'Wirth',
  'Dahl',
  'Perlman',
  'Goldwasser',
  'Berners-Lee',
  'Cerf',
  'Diffie',
  'Tu',
  'Matsumoto',
  'Alferov',
  'Borg',
  'Stroustrup',
  'Shaw',
  'Ritchie',
  'Garcia',
  'Corbato',
];
const DOMAINS = [
  'acme.example',
  'globex.example',
  'initech.example',
  'umbrella.example',
  'hooli.example',
  'stark.example',
  'wayne.example',
  'tyrell.example',
];
const TEAMS = [
  'Support',
  'Sales',
  'Marketing',
  'Engineering',
  'Finance',
  'Legal',
  'Design',
  'Data',
  'Operations',
  'Security',
  'Editorial',
  'Partners',
];

/** As migration 0003 creates them. */
const SEARCH_INDEXES = [
  {
    name: 'users_name_trgm',
    create: 'create index users_name_trgm on users using gin (lower(name) gin_trgm_ops)',
  },
  {
    name: 'users_email_trgm',
    create: 'create index users_email_trgm on users using gin (lower(email::text) gin_trgm_ops)',
  },
  { name: 'users_sort_name', create: 'create index users_sort_name on users (lower(name), id)' },
  { name: 'users_sort_email', create: 'create index users_sort_email on users (lower(email::text), id)' },
];

const array = (values: string[]) => sql`array[${sql.join(values)}]::text[]`;

/**
 * Synthetic users for development and benchmarks, generated inside the database in batches:
 * names and emails (eight domains), languages, last sign-ins spread over a year (a fifth never),
 * some locked, expired, deactivated or without a password; teams with members; a role binding
 * each in the default project (mostly Viewers, few Admins), and team bindings.
 */
export async function seedUsers(
  ctx: ActionContext,
  count: number,
  batch = 100_000,
): Promise<{ users: number; teams: number }> {
  const hash = await hashPassword(SEED_PASSWORD);
  const projectId = await defaultProjectId(ctx.db);
  // Numbers continue after the highest seeded one, so a second seed never repeats an email.
  const start = Number(
    (
      await sql<{
        n: number;
      }>`select coalesce(max(substring(email::text from '^user([0-9]+)@')::bigint) + 1, 0) as n
        from users where email::text ~ '^user[0-9]+@'`.execute(ctx.db)
    ).rows[0]?.n ?? 0,
  );
  const roles = Object.fromEntries(
    (await ctx.db.selectFrom('roles').select(['key', 'id']).where('key', 'is not', null).execute()).map(
      (r) => [r.key, r.id],
    ),
  );
  return perform(ctx, { action: 'account.seed', permission: null }, async (tx) => {
    const teams = [];
    for (const name of TEAMS) {
      const team = await tx
        .insertInto('teams')
        .values({ name: `${name} ${start}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      teams.push(team.id);
    }
    await tx
      .insertInto('role_bindings')
      .values(
        teams.map((id, i) => ({
          team_id: id,
          role_id: roles[i % 3 === 0 ? 'editor' : 'viewer'] ?? null,
          project_id: projectId,
        })),
      )
      .execute();
    // A large load is faster into a table without its search indexes, rebuilt once at the end.
    const rebuild = count >= 200_000;
    if (rebuild) {
      for (const index of SEARCH_INDEXES) await sql`drop index if exists ${sql.id(index.name)}`.execute(tx);
    }
    for (let from = start; from < start + count; from += batch) {
      const to = Math.min(from + batch, start + count) - 1;
      // Ids made up front, so bindings and memberships need no lookup of the rows just written.
      await sql`create temporary table seed_batch on commit drop as
        select g, gen_random_uuid() as id from generate_series(${from}::bigint, ${to}::bigint) as g`.execute(
        tx,
      );
      await sql`
        insert into users (id, email, name, language, password_hash, last_login_at, created_at, locked_until, deactivated_at, access_expires_at)
        select
          id,
          'user' || g || '@' || (${array(DOMAINS)})[1 + g % ${DOMAINS.length}],
          (${array(FIRST)})[1 + g % ${FIRST.length}] || ' ' || (${array(LAST)})[1 + (g / ${FIRST.length}) % ${LAST.length}] || ' ' || g,
          (array['en', 'en', 'fr', 'de', 'es'])[1 + g % 5],
          case when g % 40 = 3 then null else ${hash} end,
          case when g % 5 = 0 then null else now() - ((g * 7919) % 365) * interval '1 day' - (g % 86400) * interval '1 second' end,
          now() - interval '400 days' + (g % 400) * interval '1 day',
          case when g % 97 = 5 then now() + interval '10 minutes' else null end,
          case when g % 50 = 7 then now() - interval '30 days' else null end,
          case when g % 83 = 11 then now() - interval '2 days' else null end
        from seed_batch`.execute(tx);
      await sql`
        insert into role_bindings (user_id, role_id, project_id)
        select id,
          case
            when g % 100 < 60 then ${roles.viewer}::uuid
            when g % 100 < 85 then ${roles.editor}::uuid
            when g % 100 < 95 then ${roles.publisher}::uuid
            when g % 100 < 99 then ${roles.co_admin}::uuid
            else ${roles.admin}::uuid
          end,
          ${projectId}::uuid
        from seed_batch where g % 9 <> 4`.execute(tx);
      await sql`
        insert into team_members (team_id, user_id, is_admin)
        select (${sql`array[${sql.join(teams)}]::uuid[]`})[1 + g % ${teams.length}], id, g % 500 = 0
        from seed_batch where g % 7 = 1`.execute(tx);
      await sql`drop table seed_batch`.execute(tx);
    }
    if (rebuild) {
      await sql`set local maintenance_work_mem = '256MB'`.execute(tx);
      for (const index of SEARCH_INDEXES) await sql.raw(index.create).execute(tx);
    }
    return {
      result: { users: count, teams: teams.length },
      target: { type: 'account', id: '1', label: 'seed' },
      projectId: null,
      after: { users: count, teams: teams.length },
    };
  });
}
