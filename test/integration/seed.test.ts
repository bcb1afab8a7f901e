import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshTeamNames, SEED_PASSWORD, seedUsers } from '../../src/users/seed';
import { userStatus } from '../../src/users/status';
import { databaseKind } from '../helpers/database';
import { Client } from '../helpers/http';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp();

describe(`seed (${databaseKind})`, () => {
  it('adds realistic users with teams, bindings, sign-in history and every status', async () => {
    const result = await seedUsers(t.system, 2000, 700);
    expect(result).toEqual({ users: 2000, teams: 12 });
    const count = Number(
      (await sql<{ n: number }>`select count(*) as n from users`.execute(t.db)).rows[0]?.n,
    );
    expect(count).toBe(2000);
    const users = await t.db.selectFrom('users').selectAll().execute();
    const statuses = new Set(users.map((u) => userStatus(u, new Date())));
    expect(statuses).toEqual(
      new Set(['Active', 'Password not set', 'Locked', 'Access expired', 'Deactivated']),
    );
    expect(new Set(users.map((u) => u.email.split('@')[1])).size).toBe(8);
    // A fifth never signed in (drawn by a hash, so about a fifth).
    expect(users.filter((u) => u.last_login_at === null).length).toBeGreaterThan(300);
    expect(users.filter((u) => u.last_login_at === null).length).toBeLessThan(500);
    const bindings = Number(
      (
        await sql<{ n: number }>`select count(*) as n from role_bindings where user_id is not null`.execute(
          t.db,
        )
      ).rows[0]?.n,
    );
    expect(bindings).toBeGreaterThan(1700);
    const members = Number(
      (await sql<{ n: number }>`select count(*) as n from team_members`.execute(t.db)).rows[0]?.n,
    );
    expect(members).toBeGreaterThan(250);
    const active = users.find((u) => userStatus(u, new Date()) === 'Active');
    expect((await new Client(t.app).signIn(active?.email ?? '', SEED_PASSWORD)).status).toBe(303);
    await t.db.deleteFrom('users').where('email', 'like', 'user1%').execute();
    const again = await seedUsers(t.system, 10);
    expect(again.users).toBe(10);
    // Teams read as real ones; a second seed takes the next names rather than repeating them.
    const teams = (await t.db.selectFrom('teams').select('name').execute()).map((team) => team.name);
    expect(teams.sort()).toEqual(freshTeamNames([], 24).sort());
    expect(teams).toContain('Platform');
    expect(teams).toContain('EMEA Sales');
    expect(teams.filter((name) => /^[A-Za-z]+ \d+$/.test(name))).toEqual([]);
  });

  it('names teams with a site once the plain names are taken, never twice', () => {
    const all = freshTeamNames([], 40);
    expect(all.slice(32, 34)).toEqual(['Platform · Berlin', 'Payments · Berlin']);
    expect(freshTeamNames(['platform', 'Payments · Berlin'], 2)).toEqual(['Payments', 'Growth Marketing']);
    const many = freshTeamNames([], 1000);
    expect(new Set(many.map((name) => name.toLowerCase())).size).toBe(1000);
    expect(many.every((name) => name.length <= 100)).toBe(true);
  });
});
