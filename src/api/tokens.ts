import { z } from 'zod';
import {
  actorGrantsOf,
  grantsOf,
  narrowedTo,
  permissionsEverywhere,
  permissionsIn,
  projectIds,
} from '../access/grants';
import { isKnownPermission } from '../access/permissions';
import { assertOutranks } from '../access/rules';
import { perform } from '../audit/perform';
import { userTarget, writeAudit } from '../audit/write';
import { constantTimeEqual, randomToken, sha256 } from '../auth/tokens';
import type { ActionContext } from '../core/context';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { nameSchema, parseInput } from '../core/validation';
import type { Db } from '../db/connect';
import type { AccessCache } from './access-cache';

/*
 * API tokens: `gh_<id>_<secret>`. The prefix lets secret scanners find a leaked one; the id
 * (20 characters) finds the row, the secret (43) is kept only as its SHA-256 and compared in
 * constant time, as sessions are. A token may do what its owner may do at the moment of use,
 * narrowed to its own permission list: it never holds more than its owner, and loses what the
 * owner loses.
 */

export const TOKEN_PREFIX = 'gh_';
const TOKEN_SHAPE = /^gh_([A-Za-z0-9_-]{20})_([A-Za-z0-9_-]{43})$/;
export const DEFAULT_TOKEN_DAYS = 90;
const MAX_TOKEN_DAYS = 366;

export function parseApiToken(text: string): { id: string; secret: string } | null {
  const match = TOKEN_SHAPE.exec(text);
  return match ? { id: match[1] as string, secret: match[2] as string } : null;
}

const createSchema = z.object({
  name: nameSchema.pipe(z.string().max(100, 'Use at most 100 characters for the name.')),
  permissions: z
    .array(z.string())
    .nullish()
    .transform((keys) => (keys && keys.length > 0 ? [...new Set(keys)].sort() : null)),
  // Days until it expires; 'never' needs account.settings.
  expiresDays: z
    .union([
      z.literal('never'),
      z.coerce
        .number({ error: 'Enter a number of days.' })
        .int('Enter a whole number of days.')
        .min(1, 'A token lasts at least 1 day.')
        .max(MAX_TOKEN_DAYS, `A token lasts at most ${MAX_TOKEN_DAYS} days; choose “never” instead.`),
    ])
    .optional()
    .transform((days) => days ?? DEFAULT_TOKEN_DAYS),
});

export interface CreatedToken {
  id: string;
  /** Shown once: only its hash is kept. */
  token: string;
  expiresAt: Date | null;
}

/**
 * A new token for its owner: oneself (a personal token), or a service account (needs
 * service_accounts.manage). Each permission asked for must be held by the owner now, somewhere.
 */
export async function createApiToken(
  ctx: ActionContext,
  input: { ownerId?: string | null; name?: unknown; permissions?: unknown; expiresDays?: unknown },
): Promise<CreatedToken> {
  const data = parseInput(createSchema, input);
  const unknown = (data.permissions ?? []).filter((key) => !isKnownPermission(key));
  if (unknown.length > 0)
    throw new ValidationError({ permissions: `Unknown permission: ${unknown.join(', ')}.` });
  const now = ctx.clock.now();
  return perform(ctx, 'api_token.create', async (tx) => {
    const { actor } = ctx;
    const ownerId = input.ownerId ?? (actor.kind === 'user' ? actor.id : null);
    const owner =
      ownerId && z.uuid().safeParse(ownerId).success
        ? await tx
            .selectFrom('users')
            .select(['id', 'email', 'name', 'service_account', 'deactivated_at'])
            .where('id', '=', ownerId)
            .executeTakeFirst()
        : undefined;
    if (!owner) throw new NotFoundError('There is no such user or service account.');
    if (owner.deactivated_at) throw new ValidationError({ owner: `${owner.name} is deactivated.` });
    const own = actor.kind === 'user' && actor.id === owner.id;
    if (!own) {
      if (!owner.service_account && actor.kind !== 'system')
        throw new ValidationError({ owner: 'Tokens are made by their owner, or for a service account.' });
      if (!(await holdsEverywhere(tx, ctx, 'service_accounts.manage')))
        throw new ForbiddenError('service_accounts.manage');
      // Only for a service account one holds everything of: a token for it is its power.
      await assertOutranks(tx, ctx, [owner.id]);
    }
    if (data.expiresDays === 'never' && !(await holdsEverywhere(tx, ctx, 'account.settings')))
      throw new ValidationError({
        expiresDays: 'A token that never expires needs the permission account.settings.',
      });
    if (data.permissions) {
      const held = new Set((await grantsOf(tx, owner.id, now)).flatMap((g) => g.permissions));
      const missing = data.permissions.filter((key) => !held.has(key));
      if (missing.length > 0)
        throw new ValidationError({
          permissions: `${owner.name} does not hold ${missing.join(', ')}: a token never holds more than its owner.`,
        });
    }
    const id = randomToken(15);
    const secret = randomToken(32);
    const expiresAt =
      data.expiresDays === 'never' ? null : new Date(now.getTime() + data.expiresDays * 86_400_000);
    await tx
      .insertInto('api_tokens')
      .values({
        id,
        secret_hash: sha256(secret),
        owner_id: owner.id,
        name: data.name,
        permissions: data.permissions,
        expires_at: expiresAt,
        created_at: now,
        created_by: actor.kind === 'user' ? actor.id : null,
      })
      .execute();
    return {
      result: { id, token: `${TOKEN_PREFIX}${id}_${secret}`, expiresAt },
      target: userTarget(owner),
      projectId: null,
      after: {
        token: data.name,
        tokenId: id,
        permissions: data.permissions ?? 'all of the owner’s',
        expiresAt,
      },
    };
  });
}

/** Revoking is immediate. One's own tokens, or anyone's with service_accounts.manage. */
export async function revokeApiToken(ctx: ActionContext, id: string): Promise<void> {
  await perform(ctx, 'api_token.revoke', async (tx) => {
    const token = await tx
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.owner_id')
      .select(['t.id', 't.name', 't.owner_id', 't.revoked_at', 'u.email'])
      .where('t.id', '=', id)
      .forUpdate('t')
      .executeTakeFirst();
    if (!token) throw new NotFoundError('There is no such token.');
    const own = ctx.actor.kind === 'user' && ctx.actor.id === token.owner_id;
    if (!own) {
      if (!(await holdsEverywhere(tx, ctx, 'service_accounts.manage')))
        throw new ForbiddenError('service_accounts.manage');
      await assertOutranks(tx, ctx, [token.owner_id]);
    }
    if (!token.revoked_at)
      await tx.updateTable('api_tokens').set({ revoked_at: ctx.clock.now() }).where('id', '=', id).execute();
    return {
      result: undefined,
      target: userTarget({ id: token.owner_id, email: token.email }),
      projectId: null,
      after: { token: token.name, tokenId: id },
    };
  });
}

/** Whether the actor holds a permission in every project, account-wide (the CLI holds every one). */
async function holdsEverywhere(tx: Db, ctx: ActionContext, permission: string): Promise<boolean> {
  if (ctx.actor.kind === 'system') return true;
  const grants = await actorGrantsOf(tx, ctx.actor, ctx.clock.now());
  return permissionsEverywhere(grants, await projectIds(tx)).has(permission);
}

export interface TokenListing {
  id: string;
  name: string;
  permissions: string[] | null;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
}

/** A person's (or a service account's) tokens, newest first; never their secrets. */
export async function tokensOf(db: Db, ownerId: string): Promise<TokenListing[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select([
      'id',
      'name',
      'permissions',
      'expires_at',
      'created_at',
      'last_used_at',
      'last_used_ip',
      'revoked_at',
    ])
    .where('owner_id', '=', ownerId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    permissions: r.permissions,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    lastUsedIp: r.last_used_ip,
    revokedAt: r.revoked_at,
  }));
}

/** Who a token acts for, as read from the database at the moment of use. */
export interface TokenHolder {
  tokenId: string;
  tokenName: string;
  owner: { id: string; email: string; name: string; serviceAccount: boolean };
  /** Null: all of the owner's. */
  permissions: readonly string[] | null;
}

export type TokenCheck = { ok: true; holder: TokenHolder } | { ok: false; reason: string };

/** Used at most this often, the token's last-used time and address are written (not every call). */
const TOUCH_INTERVAL_MS = 60_000;
/** When this instance last wrote each token's last use. */
const lastTouched = new Map<string, number>();
const REFUSAL_AUDIT_MS = 60_000;
/** The refusals this instance audited last, per token and reason, and those it let pass since. */
const refusalsAudited = new Map<string, { at: number; unaudited: number }>();

/**
 * The token's holder, or why it is refused: unknown, wrong secret, revoked, expired, or an owner
 * who is deactivated, whose access has ended, or who is locked. A refusal of a real token (its id
 * exists) is audited; guesses at ids are not (they would flood the trail).
 */
export async function checkApiToken(
  ctx: Pick<ActionContext, 'db' | 'clock' | 'config' | 'meta'>,
  text: string,
  cache: AccessCache | null = null,
): Promise<TokenCheck> {
  const parsed = parseApiToken(text);
  if (!parsed) return { ok: false, reason: 'not a Gatehouse API token' };
  const now = ctx.clock.now();
  const load = () =>
    ctx.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.owner_id')
      .select([
        't.id',
        't.name',
        't.secret_hash',
        't.permissions',
        't.expires_at',
        't.revoked_at',
        'u.id as ownerId',
        'u.email',
        'u.name as ownerName',
        'u.service_account',
        'u.deactivated_at',
        'u.access_expires_at',
        'u.locked_until',
      ])
      .where('t.id', '=', parsed.id)
      .executeTakeFirst();
  const row = cache ? await cache.read(`token:${parsed.id}`, load) : await load();
  if (!row) return { ok: false, reason: 'unknown token' };
  const reason = !constantTimeEqual(new Uint8Array(row.secret_hash), sha256(parsed.secret))
    ? 'wrong secret'
    : row.revoked_at
      ? 'revoked'
      : row.expires_at && row.expires_at <= now
        ? 'expired'
        : row.deactivated_at
          ? 'owner deactivated'
          : row.access_expires_at && row.access_expires_at <= now
            ? 'owner’s access expired'
            : row.locked_until && row.locked_until > now
              ? 'owner locked'
              : null;
  if (reason) {
    // Once a minute per token and reason, with how many were refused since: a revoked token left
    // in a busy client (or someone who knows a token's id) must not flood the trail.
    const key = `${row.id}|${reason}`;
    const last = refusalsAudited.get(key);
    if (last && now.getTime() - last.at < REFUSAL_AUDIT_MS) {
      last.unaudited++;
      return { ok: false, reason };
    }
    if (refusalsAudited.size > 10_000) refusalsAudited.clear();
    refusalsAudited.set(key, { at: now.getTime(), unaudited: 0 });
    await writeAudit(ctx.db, ctx, {
      action: 'api_token.refused',
      outcome: 'failed',
      actor: { id: null, label: `token ${row.name}` },
      target: userTarget({ id: row.ownerId, email: row.email }),
      projectId: null,
      reason,
      after: { token: row.name, tokenId: row.id, refusedSinceLastEvent: last?.unaudited ?? 0 },
    });
    return { ok: false, reason };
  }
  const touched = lastTouched.get(row.id) ?? 0;
  if (now.getTime() - touched >= TOUCH_INTERVAL_MS) {
    lastTouched.set(row.id, now.getTime());
    await ctx.db
      .updateTable('api_tokens')
      .set({ last_used_at: now, last_used_ip: ctx.meta.ip })
      .where('id', '=', row.id)
      .execute();
  }
  return {
    ok: true,
    holder: {
      tokenId: row.id,
      tokenName: row.name,
      owner: { id: row.ownerId, email: row.email, name: row.ownerName, serviceAccount: row.service_account },
      permissions: row.permissions,
    },
  };
}

/** What the token may do in a project now: its owner's permissions there, narrowed to its list. */
export async function tokenPermissionsIn(
  db: Db,
  holder: TokenHolder,
  projectId: string,
  now: Date,
): Promise<Set<string>> {
  return permissionsIn(narrowedTo(await grantsOf(db, holder.owner.id, now), holder.permissions), projectId);
}
