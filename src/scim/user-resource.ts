import { type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/connect';
import { booleanOf, complex, member, textOf } from './attributes';
import { notFound } from './errors';
import {
  booleanAttribute,
  constantAttribute,
  dateTimeAttribute,
  type FilterSchema,
  filterCondition,
  idAttribute,
  parseFilter,
  textAttribute,
} from './filter';
import { type ListQuery, listResponse, type Projection, project, wants } from './list';
import { USER_SCHEMA } from './schemas';
import type { DirectoryUserInput } from './users';

/*
 * Gatehouse people as SCIM Users: userName is the email (compared without case), displayName the
 * name, emails the one work email, active the opposite of deactivated, groups the directory's
 * teams they are in. Service accounts are not people and the directory does not see them; nor
 * does it see those it removed (DELETE): they answer 404 and are left out of lists.
 */

export interface UserRow {
  id: string;
  email: string;
  name: string;
  given_name: string | null;
  family_name: string | null;
  external_id: string | null;
  deactivated_at: Date | null;
  locale: string | null;
  preferred_language: string | null;
  created_at: Date;
}

const COLUMNS = [
  'u.id',
  'u.email',
  'u.name',
  'u.given_name',
  'u.family_name',
  'u.external_id',
  'u.deactivated_at',
  'u.locale',
  'u.preferred_language',
  'u.created_at',
] as const;

/** The people the directory sees. */
export const directoryUsers = (db: Db) =>
  db
    .selectFrom('users as u')
    .where('u.service_account', '=', false)
    .where('u.directory_removed_at', 'is', null);

const email = textAttribute('u.email', { citext: true });
const USER_FILTER: FilterSchema = {
  urn: `${USER_SCHEMA.toLowerCase()}:`,
  attributes: {
    id: idAttribute('u.id'),
    username: email,
    externalid: textAttribute('u.external_id', { caseExact: true, nullable: true }),
    displayname: textAttribute('u.name'),
    'name.givenname': textAttribute('u.given_name', { nullable: true }),
    'name.familyname': textAttribute('u.family_name', { nullable: true }),
    active: booleanAttribute(sql<SqlBool>`u.deactivated_at is null`),
    'emails.value': email,
    'emails.type': constantAttribute('work'),
    'emails.primary': constantAttribute(true),
    preferredlanguage: textAttribute('u.preferred_language', { nullable: true }),
    locale: textAttribute('u.locale', { nullable: true }),
    'meta.created': dateTimeAttribute('u.created_at'),
    'meta.lastmodified': dateTimeAttribute('u.created_at'),
  },
  complex: {
    emails: { value: email, type: constantAttribute('work'), primary: constantAttribute(true) },
  },
};

const formatted = (row: Pick<UserRow, 'given_name' | 'family_name' | 'name'>) =>
  [row.given_name, row.family_name].filter(Boolean).join(' ') || row.name;

export function userResource(
  row: UserRow,
  groups: Array<{ id: string; name: string }> | null,
  base: string,
): Record<string, unknown> {
  const location = `${base}/Users/${row.id}`;
  const name: Record<string, string> = { formatted: formatted(row) };
  if (row.given_name) name.givenName = row.given_name;
  if (row.family_name) name.familyName = row.family_name;
  const resource: Record<string, unknown> = { schemas: [USER_SCHEMA], id: row.id };
  if (row.external_id) resource.externalId = row.external_id;
  Object.assign(resource, {
    userName: row.email,
    name,
    displayName: row.name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: row.deactivated_at === null,
  });
  if (row.preferred_language) resource.preferredLanguage = row.preferred_language;
  if (row.locale) resource.locale = row.locale;
  if (groups)
    resource.groups = groups.map((g) => ({
      value: g.id,
      $ref: `${base}/Groups/${g.id}`,
      display: g.name,
      type: 'direct',
    }));
  const created = row.created_at.toISOString();
  resource.meta = { resourceType: 'User', created, lastModified: created, location };
  return resource;
}

/** The directory's teams of each person, for a page of them in one query. */
async function groupsOf(db: Db, userIds: string[]) {
  const byUser = new Map<string, Array<{ id: string; name: string }>>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['m.user_id', 't.id', 't.name'])
    .where('m.user_id', 'in', userIds)
    .where('t.source', '=', 'scim')
    .orderBy('t.name')
    .execute();
  for (const row of rows) byUser.get(row.user_id)?.push({ id: row.id, name: row.name });
  return byUser;
}

export async function readUserResource(
  db: Db,
  id: string,
  base: string,
  projection: Projection = { attributes: null, excluded: [] },
): Promise<Record<string, unknown>> {
  const row = z.uuid().safeParse(id).success
    ? await directoryUsers(db).select(COLUMNS).where('u.id', '=', id).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('User', id);
  const groups = wants(projection, 'groups') ? ((await groupsOf(db, [row.id])).get(row.id) ?? []) : null;
  return project(userResource(row, groups, base), projection);
}

/** GET /Users: filtered, in a stable order (created, then id), one page. */
export async function listUserResources(db: Db, query: ListQuery, base: string) {
  const filter = query.filter ? filterCondition(parseFilter(query.filter), USER_FILTER) : null;
  const matching = () => {
    const all = directoryUsers(db);
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
          .orderBy('u.created_at')
          .orderBy('u.id')
          .offset(query.startIndex - 1)
          .limit(query.count)
          .execute();
  const groups = wants(query.projection, 'groups')
    ? await groupsOf(
        db,
        rows.map((r) => r.id),
      )
    : null;
  return listResponse(
    query,
    Number(total.n),
    rows.map((row) => userResource(row, groups?.get(row.id) ?? null, base)),
  );
}

/**
 * A User the client sent (POST, PUT, or the result of a PATCH) as the domain's input. The
 * display name is displayName, else name.formatted, else the given and family names, else
 * userName. emails, groups, password and attributes Gatehouse does not keep are not read: the
 * email is userName, and the directory sets no password.
 */
export function userInputOf(body: Record<string, unknown>, { patched = false } = {}): DirectoryUserInput {
  const name = complex(member(body, 'name'), 'name');
  const userName = member(body, 'userName');
  const givenName = member(name, 'givenName');
  const familyName = member(name, 'familyName');
  const displayName = member(body, 'displayName');
  const externalId = member(body, 'externalId');
  const parts = [textOf(givenName), textOf(familyName)].filter(Boolean).join(' ');
  return {
    userName,
    displayName:
      displayName !== undefined && displayName !== null && typeof displayName !== 'string'
        ? displayName
        : (textOf(displayName) ?? textOf(member(name, 'formatted')) ?? (parts || userName)),
    givenName,
    familyName,
    // A PATCH that removed it clears it; a PUT without it leaves it.
    externalId: externalId === undefined && patched ? null : externalId,
    active: booleanOf(member(body, 'active')),
    preferredLanguage: member(body, 'preferredLanguage'),
    locale: member(body, 'locale'),
  };
}

/** The attributes a PATCH applies its operations to: what the client may write. */
export function patchableUser(row: UserRow): Record<string, unknown> {
  const resource = userResource(row, null, '');
  delete resource.schemas;
  delete resource.id;
  delete resource.meta;
  return resource;
}
