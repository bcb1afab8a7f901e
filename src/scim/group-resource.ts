import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { isObject, member } from './attributes';
import { invalidValue, notFound } from './errors';
import {
  dateTimeAttribute,
  existsAttribute,
  type FilterSchema,
  filterCondition,
  idAttribute,
  parseFilter,
  textAttribute,
} from './filter';
import type { DirectoryTeamInput } from './groups';
import { type ListQuery, listResponse, type Projection, project, wants } from './list';
import { GROUP_SCHEMA } from './schemas';

/*
 * The directory's teams (source 'scim') as SCIM Groups: displayName is the team's name, members
 * the people in it the directory sees (value is the User's id). Teams made in Gatehouse are not
 * Groups (groups.ts says why).
 */

interface TeamRow {
  id: string;
  name: string;
  external_id: string | null;
  created_at: Date;
}

const COLUMNS = ['t.id', 't.name', 't.external_id', 't.created_at'] as const;

const directoryTeams = (db: Db) => db.selectFrom('teams as t').where('t.source', '=', 'scim');

const memberCondition = (userId: string | null) =>
  sql<SqlBool>`exists (select 1 from team_members m join users mu on mu.id = m.user_id
    where m.team_id = t.id and mu.service_account = false and mu.directory_removed_at is null
    ${userId === null ? sql`` : sql`and m.user_id = ${userId}`})`;

const GROUP_FILTER: FilterSchema = {
  urn: `${GROUP_SCHEMA.toLowerCase()}:`,
  attributes: {
    id: idAttribute('t.id'),
    displayname: textAttribute('t.name', { citext: true }),
    externalid: textAttribute('t.external_id', { caseExact: true, nullable: true }),
    members: existsAttribute(memberCondition),
    'members.value': existsAttribute(memberCondition),
    'meta.created': dateTimeAttribute('t.created_at'),
    'meta.lastmodified': dateTimeAttribute('t.created_at'),
  },
  complex: { members: { value: existsAttribute(memberCondition) } },
};

interface Member {
  id: string;
  name: string;
}

export function groupResource(row: TeamRow, members: Member[] | null, base: string): Record<string, unknown> {
  const resource: Record<string, unknown> = { schemas: [GROUP_SCHEMA], id: row.id };
  if (row.external_id) resource.externalId = row.external_id;
  resource.displayName = row.name;
  if (members)
    resource.members = members.map((m) => ({
      value: m.id,
      $ref: `${base}/Users/${m.id}`,
      display: m.name,
      type: 'User',
    }));
  const created = row.created_at.toISOString();
  resource.meta = {
    resourceType: 'Group',
    created,
    lastModified: created,
    location: `${base}/Groups/${row.id}`,
  };
  return resource;
}

/** The members each team of a page has, in one query. */
async function membersOf(db: Db, teamIds: string[]) {
  const byTeam = new Map<string, Member[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return byTeam;
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.team_id', 'u.id', 'u.name'])
    .where('m.team_id', 'in', teamIds)
    .where('u.service_account', '=', false)
    .where('u.directory_removed_at', 'is', null)
    .orderBy('m.added_at')
    .orderBy('u.id')
    .execute();
  for (const row of rows) byTeam.get(row.team_id)?.push({ id: row.id, name: row.name });
  return byTeam;
}

export async function readGroupResource(
  db: Db,
  id: string,
  base: string,
  projection: Projection = { attributes: null, excluded: [] },
): Promise<Record<string, unknown>> {
  const row = z.uuid().safeParse(id).success
    ? await directoryTeams(db).select(COLUMNS).where('t.id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('Group', id);
  const members = wants(projection, 'members') ? ((await membersOf(db, [row.id])).get(row.id) ?? []) : null;
  return project(groupResource(row, members, base), projection);
}

/** GET /Groups: the directory's teams, filtered, in a stable order (created, then id), one page. */
export async function listGroupResources(db: Db, query: ListQuery, base: string) {
  const filter = query.filter ? filterCondition(parseFilter(query.filter), GROUP_FILTER) : null;
  const matching = () => {
    const all = directoryTeams(db);
    return filter ? all.where(filter) : all;
  };
  const total = await matching()
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  const rows =
    query.count === 0
      ? []
      : await matching()
          .select(COLUMNS)
          .orderBy('t.created_at')
          .orderBy('t.id')
          .offset(query.startIndex - 1)
          .limit(query.count)
          .execute();
  const members = wants(query.projection, 'members')
    ? await membersOf(
        db,
        rows.map((r) => r.id),
      )
    : null;
  return listResponse(
    query,
    Number(total.n),
    rows.map((row) => groupResource(row, members?.get(row.id) ?? null, base)),
  );
}

/** The User ids of a members list ([{ "value": id, … }]); null is none. */
export function memberIdsOf(value: unknown): string[] {
  if (value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    const id = isObject(item) ? member(item, 'value') : undefined;
    if (typeof id !== 'string' || id.trim() === '')
      throw invalidValue('Each member is an object with the User’s id as its "value".');
    return id.trim().toLowerCase();
  });
}

/** A Group the client sent (POST, PUT, or the result of a PATCH) as the domain's input. */
export function groupInputOf(body: Record<string, unknown>, { patched = false } = {}): DirectoryTeamInput {
  const members = member(body, 'members');
  const externalId = member(body, 'externalId');
  return {
    displayName: member(body, 'displayName'),
    // A PATCH that removed it clears it; a PUT without it leaves it.
    externalId: externalId === undefined && patched ? null : externalId,
    // A PATCH that removed them all leaves none; a PUT without them leaves them as they are.
    members: members === undefined ? (patched ? [] : undefined) : memberIdsOf(members),
  };
}

/** The attributes a PATCH applies its operations to: members as bare ids, as clients send them. */
export function patchableGroup(state: { name: string; externalId: string | null; memberIds: string[] }) {
  const resource: Record<string, unknown> = { displayName: state.name };
  if (state.externalId) resource.externalId = state.externalId;
  resource.members = state.memberIds.map((id) => ({ value: id }));
  return resource;
}
