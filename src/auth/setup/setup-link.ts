import type { Generated } from 'kysely';
import { DomainError } from '../../core/errors';
import type { Db } from '../../db/connect';
import { randomToken, sha256 } from '../tokens';

/** migrations/0019_setup_link.ts: one row at most. Only this module reads or writes it. */
interface SetupLinkTable {
  id: Generated<number>;
  token_hash: Uint8Array;
  created_at: Date;
  expires_at: Date;
}

const store = (db: Db) => db.$extendTables<{ setup_link: SetupLinkTable }>();

export const SETUP_LINK_LIFETIME_MS = 60 * 60_000;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/**
 * `usable`, or why not: `unknown` (never issued, mistyped, replaced by a later start, or used),
 * `expired`, or `done` (someone exists, so setup is over whatever the link).
 */
export type SetupLinkState = 'usable' | 'unknown' | 'expired' | 'done';

export class SetupLinkUnusable extends DomainError {
  override name = 'SetupLinkUnusable';
  constructor(readonly state: Exclude<SetupLinkState, 'usable'>) {
    super(state === 'done' ? 'Gatehouse is already set up.' : 'This setup link cannot be used.');
  }
}

/** Any user at all, service accounts included: the link makes an admin only of an empty account. */
async function hasUsers(db: Db): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/**
 * At each server start: while the account has no user, a new link valid for one hour, which
 * replaces the previous start's (its one row is overwritten); once someone exists, the row goes.
 * Several instances on one PostgreSQL each write the row as they start, and the last start wins:
 * the link that works is the one printed last, and any instance serves it (a link per instance
 * would keep an old, forgotten one alive beside it for no gain).
 */
export async function setupLinkAtStart(
  db: Db,
  publicUrl: string,
  now: Date,
): Promise<{ link: string; expiresAt: Date } | null> {
  if (await hasUsers(db)) {
    await store(db).deleteFrom('setup_link').execute();
    return null;
  }
  const token = randomToken(32);
  const row = {
    token_hash: sha256(token),
    created_at: now,
    expires_at: new Date(now.getTime() + SETUP_LINK_LIFETIME_MS),
  };
  await store(db)
    .insertInto('setup_link')
    .values({ id: 1, ...row })
    .onConflict((oc) => oc.column('id').doUpdateSet(row))
    .execute();
  return { link: `${publicUrl}/setup/${token}`, expiresAt: row.expires_at };
}

/** What the link can do now, without using it (to show its page). */
export async function setupLinkState(db: Db, token: string, now: Date): Promise<SetupLinkState> {
  if (await hasUsers(db)) return 'done';
  if (!TOKEN_SHAPE.test(token)) return 'unknown';
  const row = await store(db)
    .selectFrom('setup_link')
    .select('expires_at')
    .where('token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row) return 'unknown';
  return row.expires_at > now ? 'usable' : 'expired';
}

/**
 * Uses the link inside the transaction that makes the first admin, after the account row is
 * locked (the action serializes): nobody may exist yet, and the row is deleted, so it works once.
 */
export async function spendSetupLink(tx: Db, token: string, now: Date): Promise<void> {
  const state = await setupLinkState(tx, token, now);
  if (state !== 'usable') throw new SetupLinkUnusable(state);
  const spent = await store(tx)
    .deleteFrom('setup_link')
    .where('token_hash', '=', sha256(token))
    .where('expires_at', '>', now)
    .returning('id')
    .executeTakeFirst();
  if (!spent) throw new SetupLinkUnusable('unknown');
}
