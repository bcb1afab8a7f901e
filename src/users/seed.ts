import { sql } from 'kysely';
import { defaultProjectId } from '../access/grants';
import { perform } from '../audit/perform';
import { hashPassword } from '../auth/passwords/hashing';
import type { ActionContext } from '../core/context';

/** Every seeded person signs in with this password (development and benchmarks only). */
export const SEED_PASSWORD = 'seeded password 2026';

// Enough names that one first name's block in name order is small, as in a real directory.
const FIRST =
  'Ada Alan Barbara Claude Donald Edsger Frances Grace Hedy Ivan John Karen Linus Margaret Niklaus Ole Radia Shafi Tim Vint Whitfield Xiaoyuan Yukihiro Zhores Anita Bjarne Carol Dennis Elena Fernando Aarav Abigail Adrian Aisha Akira Alejandro Alice Amara Amelia Ana Andrei Anna Arjun Astrid Ayesha Beatriz Ben Bianca Boris Camila Carlos Chen Chloe Chidi Daniel Daria David Diego Dmitri Eitan Elif Elijah Emma Eva Fatima Felix Freya Gabriel Hana Hannah Hiro Ibrahim Ines Isabel Ivy Jamal Jana Javier Ji-woo Jonas Jose Julia Kai Kamala Kenji Kofi Lars Laura Leila Leo Liam Lina Lucas Luis Maya Mei Mia Miguel Mohammed Nadia Naomi Nia Noah Nora Olga Oliver Omar Oscar Paula Pedro Priya Rafael Rahul Rania Rosa Sakura Samir Sara Sebastian Sofia Sven Tariq Tomas Uma Valentina Victor Wei Yara Yusuf Zara Zoe'.split(
    ' ',
  );
const LAST =
  'Lovelace Turing Liskov Shannon Knuth Dijkstra Allen Hopper Lamarr Sutherland McCarthy Jones Torvalds Hamilton Wirth Dahl Perlman Goldwasser Berners-Lee Cerf Diffie Tu Matsumoto Alferov Borg Stroustrup Shaw Ritchie Garcia Corbato Abe Adeyemi Ahmed Alvarez Andersen Araujo Bakker Banerjee Becker Bianchi Brown Castro Chen Cohen Costa Oliveira Dubois Dumont Eriksson Fernandes Fischer Fontaine Fujita Gonzalez Gupta Haddad Hansen Hoffmann Horvat Ibrahim Ivanova Jansen Jensen Kang Kapoor Kato Kim Kowalski Kruger Larsen Laurent Lee Lehmann Lopez Mahmoud Martin Meyer Moreau Mukherjee Muller Murphy Nakamura Nguyen Nielsen Novak Okafor Olsen Ortiz Park Patel Petrov Popescu Quinn Ramos Reyes Rossi Russo Sato Schmidt Schneider Silva Singh Smith Sorensen Suzuki Tanaka Taylor Thomas Wagner Walker Wang Weber Williams Wong Yamamoto Yilmaz Young Zhang Zimmermann'.split(
    ' ',
  );
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
// Teams as an account names them. A seed takes the first names of teamNames() not yet in use, so
// a second seed adds teams of its own (names are unique) and the same data gives the same names.
const TEAM_NAMES = [
  'Platform',
  'Payments',
  'Growth Marketing',
  'EMEA Sales',
  'Customer Support Tier 2',
  'Data Science',
  'Security Operations',
  'Finance',
  'Legal and Compliance',
  'Product Design',
  'Mobile Apps',
  'Partnerships',
  'Site Reliability',
  'People Operations',
  'Americas Sales',
  'Customer Support Tier 1',
  'Brand and Content',
  'Billing',
  'Identity',
  'Search',
  'Infrastructure',
  'Procurement',
  'APAC Sales',
  'Developer Relations',
  'Analytics',
  'Quality Assurance',
  'Internal Tools',
  'Onboarding',
  'Editorial',
  'Risk and Fraud',
  'Solutions Engineering',
  'Recruiting',
];
const TEAM_SITES = ['Berlin', 'London', 'Singapore', 'São Paulo', 'Toronto', 'Nairobi', 'Sydney', 'Tokyo'];
const TEAMS_PER_SEED = 12;

/** Every plain name, then each at every site, then numbered rounds of those: never runs out. */
function* teamNames(): Generator<string> {
  yield* TEAM_NAMES;
  for (let round = 1; ; round += 1) {
    const suffix = round === 1 ? '' : ` ${round}`;
    for (const site of TEAM_SITES) for (const name of TEAM_NAMES) yield `${name} · ${site}${suffix}`;
  }
}

/** The first `count` names of teamNames() that no team has (names are unique ignoring case). */
export function freshTeamNames(taken: Iterable<string>, count: number): string[] {
  const used = new Set([...taken].map((name) => name.toLowerCase()));
  const names: string[] = [];
  for (const name of teamNames()) {
    if (names.length === count) break;
    if (!used.has(name.toLowerCase())) names.push(name);
  }
  return names;
}

const array = (values: string[]) => sql`array[${sql.join(values)}]::text[]`;

/**
 * A number in [0, n) drawn from the row number g by a hash, one independent stream per k: every
 * attribute is spread evenly over the sort orders, as in real data (a modulus of g would line
 * attributes up with each other and with creation order).
 */
const pick = (k: number, n: number) => sql`(abs(hashint8extended(g, ${sql.lit(k)})) % ${sql.lit(n)})`;

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
  return perform(ctx, 'account.seed', async (tx) => {
    const taken = await tx.selectFrom('teams').select('name').execute();
    const teams = [];
    for (const name of freshTeamNames(
      taken.map((t) => t.name),
      TEAMS_PER_SEED,
    )) {
      const team = await tx.insertInto('teams').values({ name }).returning('id').executeTakeFirstOrThrow();
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
    // A large load is faster into tables without their secondary indexes, rebuilt once at the end.
    const rebuild = count >= 200_000;
    // Their secondary indexes (not those behind constraints), as the migrations made them, with
    // the statistics targets set on their expressions (migration 0005), which go with the index.
    const indexes = rebuild
      ? (
          await sql<{
            name: string;
            definition: string;
            targets: Array<{ column: number; target: number }>;
          }>`select i.indexname as name, i.indexdef as definition,
              coalesce((select json_agg(json_build_object('column', a.attnum, 'target', a.attstattarget))
                from pg_attribute a join pg_class c on c.oid = a.attrelid
                where c.relname = i.indexname and coalesce(a.attstattarget, -1) > 0), '[]') as targets
            from pg_indexes i where schemaname = current_schema()
              and tablename in ('users', 'role_bindings', 'team_members')
              and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(tx)
        ).rows
      : [];
    for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(tx);
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
          'user' || g || '@' || (${array(DOMAINS)})[1 + ${pick(1, DOMAINS.length)}],
          (${array(FIRST)})[1 + ${pick(2, FIRST.length)}] || ' ' || (${array(LAST)})[1 + ${pick(3, LAST.length)}],
          (array['en', 'en', 'fr', 'de', 'es'])[1 + ${pick(4, 5)}],
          case when ${pick(5, 40)} = 0 then null else ${hash} end,
          case when ${pick(6, 5)} = 0 then null else now() - ${pick(7, 365 * 86_400)} * interval '1 second' end,
          now() - interval '400 days' + ${pick(8, 400 * 86_400)} * interval '1 second',
          case when ${pick(9, 97)} = 0 then now() + interval '10 minutes' else null end,
          case when ${pick(10, 50)} = 0 then now() - interval '30 days' else null end,
          case when ${pick(11, 83)} = 0 then now() - interval '2 days' else null end
        from seed_batch`.execute(tx);
      await sql`
        insert into role_bindings (user_id, role_id, project_id)
        select id,
          case
            when ${pick(13, 100)} < 60 then ${roles.viewer}::uuid
            when ${pick(13, 100)} < 85 then ${roles.editor}::uuid
            when ${pick(13, 100)} < 95 then ${roles.publisher}::uuid
            when ${pick(13, 100)} < 99 then ${roles.co_admin}::uuid
            else ${roles.admin}::uuid
          end,
          ${projectId}::uuid
        from seed_batch where ${pick(12, 9)} <> 0`.execute(tx);
      await sql`
        insert into team_members (team_id, user_id, is_admin)
        select (${sql`array[${sql.join(teams)}]::uuid[]`})[1 + ${pick(15, teams.length)}], id, ${pick(16, 500)} = 0
        from seed_batch where ${pick(14, 7)} = 0`.execute(tx);
      await sql`drop table seed_batch`.execute(tx);
    }
    if (rebuild) {
      await sql`set local maintenance_work_mem = '256MB'`.execute(tx);
      for (const index of indexes) {
        await sql.raw(index.definition).execute(tx);
        for (const t of index.targets) {
          await sql`alter index ${sql.id(index.name)} alter column ${sql.raw(String(Number(t.column)))} set statistics ${sql.raw(String(Number(t.target)))}`.execute(
            tx,
          );
        }
      }
    }
    return {
      result: { users: count, teams: teams.length },
      target: { type: 'account', id: '1', label: 'seed' },
      projectId: null,
      after: { users: count, teams: teams.length },
    };
  });
}
