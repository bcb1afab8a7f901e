import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { type Grant, grantRows, toGrant } from '../../access/grants';
import type { Db } from '../../db/connect';
import { prepared } from '../../db/prepared';
import type { AccountSettings } from '../../db/schema';
import type { JobQueue } from '../../jobs/queue';
import { endProviderState } from '../../oidc/end-sessions';
import type { PasswordEpoch } from '../passwords/reset-epoch';
import { constantTimeEqual, randomToken, sha256 } from '../tokens';

export const SESSION_COOKIE = '__Host-gh_session';
/** last_seen_at is written at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionUser {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  /** The user's time zone for showing times (IANA), or null for UTC. */
  timeZone: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** The absolute end: the account's session lifetime, or the code step's. */
  expiresAt: Date;
  /** The account's idle timeout: the session ends this long after lastSeenAt. */
  idleMinutes: number;
  /**
   * How far the sign-in got: `code` waits for the second factor (nothing else is open to it),
   * `enrol` is a user the account requires to set up 2FA first, `full` may do what its grants allow.
   */
  stage: SessionStage;
  /** The project the session switched to; null until it does. */
  projectId: string | null;
  /** The user's unexpired grants, read with the session. */
  grants: Grant[];
  /** Every project, by name. */
  projects: Array<{ id: string; name: string }>;
  /**
   * The account's last "reset all passwords" (reset-epoch.ts), read with the session because the
   * users list builds its status conditions from it: one round trip fewer per list request.
   */
  passwords: PasswordEpoch;
}

export type SessionStage = 'code' | 'enrol' | 'full';

/** A session waiting for its second factor lives this long, not the account's session lifetime. */
const PENDING_SESSION_MS = 10 * 60_000;
/** Asked for more time, the code step may last this long in all (keepSessionAlive). */
const PENDING_SESSION_LIMIT_MS = 3 * PENDING_SESSION_MS;

/**
 * The cookie holds `<id>.<secret>`: the id finds the row, and only SHA-256 of the 256-bit
 * secret is stored, compared in constant time (the lucia-auth.com guide).
 */
export async function createSession(
  db: Db,
  input: {
    userId: string;
    now: Date;
    settings: AccountSettings;
    ip: string | null;
    userAgent: string | null;
    /** The project to start in (an invitee lands in the project they were invited to). */
    projectId?: string | null;
    /** True when the person has just proved their second factor (enrolment at sign-up). */
    twoFactorVerified?: boolean;
    /** False for a session that still waits for the second factor: it is not yet proof. */
    authenticated?: boolean;
  },
): Promise<string> {
  const id = randomToken(15);
  const secret = randomToken(32);
  await db
    .insertInto('sessions')
    .values({
      id,
      secret_hash: sha256(secret),
      user_id: input.userId,
      created_at: input.now,
      last_seen_at: input.now,
      expires_at: new Date(
        input.now.getTime() +
          (input.authenticated === false
            ? PENDING_SESSION_MS
            : input.settings.session_absolute_hours * 3_600_000),
      ),
      reauthenticated_at: input.authenticated === false ? null : input.now,
      ip: input.ip,
      user_agent: input.userAgent?.slice(0, 400) ?? null,
      project_id: input.projectId ?? null,
      two_factor_verified: input.twoFactorVerified ?? false,
    })
    .execute();
  return `${id}.${secret}`;
}

function parseToken(token: string): { id: string; secret: string } | null {
  const match = /^([A-Za-z0-9_-]{20})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

/** The session, its user and settings, and what the request needs next: grants and projects. */
const sessionLookup = prepared(
  (db, { id, now }: { id: string; now: Date }) =>
    db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('account_settings as a', (join) => join.on('a.id', '=', 1))
      .select([
        's.id',
        's.secret_hash',
        's.created_at',
        's.last_seen_at',
        's.expires_at',
        's.project_id',
        's.two_factor_verified',
        'u.id as userId',
        'u.email',
        'u.name',
        'u.time_zone',
        'u.deactivated_at',
        'u.access_expires_at',
        'a.session_idle_minutes',
        'a.require_two_factor',
        'a.passwords_reset_at',
        'a.passwords_reset_by',
        sql<boolean>`u.totp_secret is not null`.as('has_totp'),
        'u.must_enrol_two_factor',
        jsonArrayFrom(grantRows(db, sql.ref<string>('s.user_id'), now)).as('grants'),
        jsonArrayFrom(db.selectFrom('projects').select(['id', 'name']).orderBy('name')).as('projects'),
      ])
      .where('s.id', '=', id),
  { id: '\u0000session id', now: new Date(0) },
);

/**
 * The session behind a cookie, if it is still good: secret matches, neither idle nor absolute
 * timeout has passed, and its user may still sign in. A dead session is deleted.
 */
export async function validateSession(db: Db, token: string, now: Date): Promise<SessionUser | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const row = (await sessionLookup(db, { id: parsed.id, now })).rows[0];
  if (!row || !constantTimeEqual(new Uint8Array(row.secret_hash), sha256(parsed.secret))) return null;
  const idleDeadline = row.last_seen_at.getTime() + row.session_idle_minutes * 60_000;
  const userBlocked =
    row.deactivated_at !== null || (row.access_expires_at !== null && row.access_expires_at <= now);
  if (row.expires_at <= now || idleDeadline <= now.getTime() || userBlocked) {
    await deleteSession(db, row.id);
    return null;
  }
  let lastSeenAt = row.last_seen_at;
  if (now.getTime() - lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', row.id).execute();
    lastSeenAt = now;
  }
  return {
    sessionId: row.id,
    userId: row.userId,
    email: row.email,
    name: row.name,
    timeZone: row.time_zone,
    createdAt: row.created_at,
    lastSeenAt,
    expiresAt: row.expires_at,
    idleMinutes: row.session_idle_minutes,
    stage: stageOf(row),
    projectId: row.project_id,
    grants: row.grants.map(toGrant),
    projects: row.projects,
    passwords: { passwords_reset_at: row.passwords_reset_at, passwords_reset_by: row.passwords_reset_by },
  };
}

/**
 * A user with 2FA must have proved it in this session; one without it, in an account that
 * requires it or after an admin reset theirs, must enrol first (turning the setting on reaches
 * signed-in users at once).
 */
function stageOf(row: {
  has_totp: boolean;
  two_factor_verified: boolean;
  require_two_factor: boolean;
  must_enrol_two_factor: boolean;
}) {
  // Proved in this session: by the code step, or by the identity provider that signed them in
  // and asserted a second factor (sso/sign-in.ts), which satisfies "require 2FA" too.
  if (row.two_factor_verified) return 'full';
  if (row.has_totp) return 'code';
  return row.require_two_factor || row.must_enrol_two_factor ? 'enrol' : 'full';
}

/** When the session ends if nothing happens: idle timeout or absolute end, whichever comes first. */
export function sessionEndsAt(s: Pick<SessionUser, 'expiresAt' | 'lastSeenAt' | 'idleMinutes'>): Date {
  return new Date(Math.min(s.expiresAt.getTime(), s.lastSeenAt.getTime() + s.idleMinutes * 60_000));
}

/**
 * "Stay signed in": the idle time starts again now. A session at the code step also gets up to
 * another 10 minutes, within PENDING_SESSION_LIMIT_MS of its start. Returns the new end.
 */
export async function keepSessionAlive(db: Db, session: SessionUser, now: Date): Promise<Date> {
  let expiresAt = session.expiresAt;
  if (session.stage === 'code') {
    const limit = session.createdAt.getTime() + PENDING_SESSION_LIMIT_MS;
    const wanted = Math.min(now.getTime() + PENDING_SESSION_MS, limit);
    if (wanted > expiresAt.getTime()) expiresAt = new Date(wanted);
  }
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now, expires_at: expiresAt })
    .where('id', '=', session.sessionId)
    .execute();
  return sessionEndsAt({ ...session, lastSeenAt: now, expiresAt });
}

/** Ends the session a cookie names, if it names one (the OpenID provider's sign-out). */
export async function endSessionOfCookie(db: Db, token: string | undefined): Promise<void> {
  const parsed = token ? parseToken(token) : null;
  if (parsed) await deleteSession(db, parsed.id);
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

/** Ends every session of the user but `keepId` (the one acting, when there is one). */
export async function deleteUserSessions(
  db: Db,
  userId: string,
  keepId?: string | null,
  jobs?: JobQueue,
): Promise<number> {
  let sessions = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepId) sessions = sessions.where('id', '<>', keepId);
  const result = await sessions.executeTakeFirst();
  // All of them (an administrator's action, a reset): the applications' sessions, grants and
  // tokens end too (the OpenID provider's state, oidc/adapter.ts).
  if (!keepId) await endProviderState(db, jobs ?? null, { only: userId });
  return Number(result.numDeletedRows);
}
