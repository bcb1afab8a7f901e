import { z } from 'zod';
import { type Grant, grantsOf } from '../access/grants';
import { isKnownPermission } from '../access/permissions';
import type { Db } from '../db/connect';
import type { AccessCache } from './access-cache';

/*
 * The permission check behind the AuthZEN Access Evaluation API: may this subject (a user or a
 * service account, by id or email) do this action (a permission key) on this resource (a project,
 * by id or name)? The same grants the console uses (direct, through teams, account-wide, manual
 * sets, unexpired), and the same states that stop a person (deactivated, access expired, locked).
 */

/** Built once: a zod schema is an object worth keeping (this runs on every check). */
const UUID = z.uuid();

export interface Subject {
  id: string;
  email: string;
  name: string;
  serviceAccount: boolean;
  deactivatedAt: Date | null;
  accessExpiresAt: Date | null;
  lockedUntil: Date | null;
}

export interface Decision {
  decision: boolean;
  /** Why, in words (shown only to callers who may read the audit trail). */
  reason: string;
}

/** Reads, through the cache when there is one; each value is data, judged at each check's time. */
export class AccessReader {
  constructor(
    private readonly db: Db,
    private readonly cache: AccessCache | null,
  ) {}

  #read<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache ? this.cache.read(key, load) : load();
  }

  subject(idOrEmail: string): Promise<Subject | null> {
    const byId = UUID.safeParse(idOrEmail).success;
    const key = byId ? idOrEmail : idOrEmail.toLowerCase();
    return this.#read(`subject:${key}`, async () => {
      const row = await this.db
        .selectFrom('users')
        .select([
          'id',
          'email',
          'name',
          'service_account',
          'deactivated_at',
          'access_expires_at',
          'locked_until',
        ])
        .where(byId ? 'id' : 'email', '=', idOrEmail)
        .executeTakeFirst();
      return row
        ? {
            id: row.id,
            email: row.email,
            name: row.name,
            serviceAccount: row.service_account,
            deactivatedAt: row.deactivated_at,
            accessExpiresAt: row.access_expires_at,
            lockedUntil: row.locked_until,
          }
        : null;
    });
  }

  /** Every binding that reaches the person, with its end; the ones ended at `now` are left out later. */
  grants(userId: string): Promise<Grant[]> {
    // Read as of the distant past, so that bindings still to end are all there.
    return this.#read(`grants:${userId}`, () => grantsOf(this.db, userId, new Date(0)));
  }

  project(idOrName: string): Promise<{ id: string; name: string } | null> {
    const byId = UUID.safeParse(idOrName).success;
    return this.#read(`project:${byId ? idOrName : `name:${idOrName}`}`, async () => {
      const row = await this.db
        .selectFrom('projects')
        .select(['id', 'name'])
        .where(byId ? 'id' : 'name', '=', idOrName)
        .executeTakeFirst();
      return row ?? null;
    });
  }
}

/** Why a subject can do nothing at all at `now`, or null. */
export function blocked(subject: Subject, now: Date): string | null {
  if (subject.deactivatedAt) return `${subject.email} is deactivated.`;
  if (subject.accessExpiresAt && subject.accessExpiresAt <= now)
    return `${subject.email}’s access has expired.`;
  if (subject.lockedUntil && subject.lockedUntil > now) return `${subject.email} is locked.`;
  return null;
}

/** The grants live at `now` that give `permission` in the project. */
export function grantsGiving(grants: readonly Grant[], permission: string, projectId: string, now: Date) {
  return grants.filter(
    (g) =>
      (g.projectId === null || g.projectId === projectId) &&
      (g.expiresAt === null || g.expiresAt > now) &&
      g.permissions.includes(permission),
  );
}

const describe = (g: Grant) =>
  `${g.role ? `role ${g.role.name}` : 'a manual permission set'}${g.via.kind === 'team' ? ` through team ${g.via.teamName}` : ''}${g.projectId === null ? ' (account-wide)' : ''}`;

export async function evaluate(
  reader: AccessReader,
  request: { subject: string; action: string; resource: string },
  now: Date,
): Promise<Decision> {
  if (!isKnownPermission(request.action))
    return { decision: false, reason: `${request.action} is not a permission Gatehouse knows.` };
  const [subject, project] = await Promise.all([
    reader.subject(request.subject),
    reader.project(request.resource),
  ]);
  if (!subject) return { decision: false, reason: 'No such user or service account.' };
  if (!project) return { decision: false, reason: 'No such project.' };
  const stop = blocked(subject, now);
  if (stop) return { decision: false, reason: stop };
  const giving = grantsGiving(await reader.grants(subject.id), request.action, project.id, now);
  if (giving.length === 0)
    return {
      decision: false,
      reason: `No live binding gives ${subject.email} ${request.action} in ${project.name}.`,
    };
  return { decision: true, reason: `Granted by ${giving.map(describe).join('; ')}.` };
}
